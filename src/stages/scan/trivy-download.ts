// Downloads a Trivy release archive, checks it against the release's checksums file and keeps
// it in the tool cache.
import * as core from '@actions/core';
import { createHash } from 'crypto';
import * as fs from 'fs';
import { RELEASES_URL, parseChecksums, releaseAsset, releaseUrl } from './release';

// @actions/tool-cache takes the better part of a second to load (HTTP and storage clients):
// only runs that download Trivy pay for it, and in dist/ it is a split bundle that other runs
// do not even compile (src/bundle/split.js).
export const loadToolCache = () => import('../../bundle/actions-tool-cache');

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The release archive for this runner, unpacked into the tool cache; returns its directory. */
export async function downloadRelease(version: string, token = ''): Promise<string> {
  // A mirror of the GitHub release assets (same file names) for runners without github.com.
  const base = process.env.GANTRY_TRIVY_RELEASES_URL || RELEASES_URL;
  const tc = await loadToolCache();
  // token-setup-trivy: github.com only (a mirror gets no token it was not meant to see).
  const auth = token && base === RELEASES_URL ? `token ${token}` : undefined;
  const download = (file: string) =>
    tc.downloadTool(releaseUrl(base, version, file), undefined, auth);
  const asset = releaseAsset(version, process.platform, process.arch);
  const sums = parseChecksums(fs.readFileSync(await download(asset.checksums), 'utf8'));
  const expected = sums.get(asset.archive);
  if (!expected) {
    throw new Error(`${asset.checksums} of Trivy v${version} lists no ${asset.archive}`);
  }
  core.info(`Downloading ${releaseUrl(base, version, asset.archive)}`);
  const archive = await download(asset.archive);
  const actual = await sha256(archive);
  if (actual !== expected) {
    throw new Error(
      `${asset.archive} does not match Trivy's published checksum (expected ${expected}, ` +
        `got ${actual}); refusing to run it`,
    );
  }
  core.info(`Checksum verified: ${asset.archive} sha256:${actual}`);
  const dir = asset.format === 'zip' ? await tc.extractZip(archive) : await tc.extractTar(archive);
  return tc.cacheDir(dir, 'trivy', version);
}
