// Everything that touches Trivy and its files: finding or installing the binary, preparing
// the vulnerability DB (cache restore, download with fallback, cache save) and the scan.
import * as core from '@actions/core';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError, errorMessage } from '../../lib/errors';
import { run, tail } from '../../lib/exec';
import { DB_CACHE_PREFIX, dbCacheKey, dbIsFresh, type DbMetadata } from './db-freshness';
import {
  RELEASES_URL,
  parseChecksums,
  parseTrivyVersion,
  releaseAsset,
  releaseUrl,
} from './release';
import { dbDownloadArgs, scanArgs, type ScanCommand } from './trivy-args';

// @actions/cache and @actions/tool-cache take the better part of a second to load (HTTP and
// storage clients): only the runs that restore a cache or download Trivy pay for them, and in
// dist/ they are split bundles that other runs do not even compile (src/bundle/split.js).
const loadCache = () => import('../../bundle/actions-cache');
const loadToolCache = () => import('../../bundle/actions-tool-cache');

export interface Trivy {
  path: string;
  version: string;
  /** Where it came from, for the log. */
  source: string;
}

/** An executable by path, or found on PATH by name; undefined when there is none. */
function resolveExecutable(binary: string): string | undefined {
  const isFile = (file: string) => fs.existsSync(file) && fs.statSync(file).isFile();
  if (binary.includes('/') || binary.includes(path.sep)) {
    return isFile(binary) ? path.resolve(binary) : undefined;
  }
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => path.join(dir, binary))
    .find(isFile);
}

interface VersionStamp {
  size: number;
  mtimeMs: number;
  version: string;
}

/**
 * What `trivy --version` said, per binary: asking costs a process start on every run, so
 * the answer is kept next to the DB until the binary's size or modification time changes.
 */
class TrivyVersions {
  private stamps: Record<string, VersionStamp> = {};
  private changed = false;

  constructor(private readonly file: string) {
    try {
      this.stamps = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, VersionStamp>;
    } catch {
      this.stamps = {}; // first run, or a stamp file worth nothing
    }
  }

  async of(binary: string): Promise<{ path: string; version: string } | undefined> {
    const resolved = resolveExecutable(binary);
    if (!resolved) return undefined;
    const { size, mtimeMs } = fs.statSync(resolved);
    const stamp = this.stamps[resolved];
    if (stamp && stamp.size === size && stamp.mtimeMs === mtimeMs) {
      return { path: resolved, version: stamp.version };
    }
    const result = await run(resolved, ['--version'], { allowFailure: true }).catch(
      () => undefined,
    );
    const version = result?.exitCode === 0 ? parseTrivyVersion(result.stdout) : undefined;
    if (!version) return undefined;
    this.stamps[resolved] = { size, mtimeMs, version };
    this.changed = true;
    return { path: resolved, version };
  }

  save(): void {
    if (!this.changed) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, JSON.stringify(this.stamps, null, 2));
    } catch (err) {
      core.debug(`Could not keep Trivy versions in ${this.file}: ${errorMessage(err)}`);
    }
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function downloadRelease(version: string): Promise<string> {
  // A mirror of the GitHub release assets (same file names) for runners without github.com.
  const base = process.env.GANTRY_TRIVY_RELEASES_URL || RELEASES_URL;
  const tc = await loadToolCache();
  const asset = releaseAsset(version, process.platform, process.arch);
  const sums = parseChecksums(
    fs.readFileSync(await tc.downloadTool(releaseUrl(base, version, asset.checksums)), 'utf8'),
  );
  const expected = sums.get(asset.archive);
  if (!expected) {
    throw new Error(`${asset.checksums} of Trivy v${version} lists no ${asset.archive}`);
  }
  core.info(`Downloading ${releaseUrl(base, version, asset.archive)}`);
  const archive = await tc.downloadTool(releaseUrl(base, version, asset.archive));
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

/**
 * A trivy of exactly `version`: $TRIVY or the one on PATH when it matches, else the tool
 * cache, else the release archive (checksum-verified, then kept in the tool cache).
 */
export async function installTrivy(version: string, cacheDir: string): Promise<Trivy> {
  const versions = new TrivyVersions(path.join(cacheDir, 'gantry-trivy-versions.json'));
  try {
    const binaryName = process.platform === 'win32' ? 'trivy.exe' : 'trivy';
    const candidates: [string, string][] = [];
    if (process.env.TRIVY) candidates.push([process.env.TRIVY, 'TRIVY']);
    candidates.push([binaryName, 'PATH']);
    for (const [binary, source] of candidates) {
      const found = await versions.of(binary);
      if (found?.version === version) return { path: found.path, version, source };
      if (found) {
        core.info(`Not using trivy ${found.version} from ${source}: trivy-version is v${version}`);
      }
    }
    let dir = (await loadToolCache()).find('trivy', version);
    let source = 'tool cache';
    if (!dir) {
      dir = await downloadRelease(version);
      source = 'release archive';
    }
    const found = await versions.of(path.join(dir, binaryName));
    if (found?.version !== version) {
      throw new Error(
        `${path.join(dir, binaryName)} reports version ${found?.version ?? '(none)'}, expected ${version}`,
      );
    }
    return { path: found.path, version, source };
  } finally {
    versions.save();
  }
}

/** The Actions cache, when the runner provides the service (its URL is in the environment). */
async function cacheService(): Promise<typeof import('../../bundle/actions-cache') | undefined> {
  if (!process.env.ACTIONS_CACHE_URL && !process.env.ACTIONS_RESULTS_URL) return undefined;
  const cache = await loadCache();
  return cache.isFeatureAvailable() ? cache : undefined;
}

function readDbMetadata(dbDir: string): DbMetadata | undefined {
  if (!fs.existsSync(path.join(dbDir, 'trivy.db'))) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dbDir, 'metadata.json'), 'utf8')) as DbMetadata;
  } catch {
    return undefined;
  }
}

export interface DbState {
  /** The repository the DB was downloaded from in this run ('' = none was needed). */
  repository: string;
  /** The cache key restored exactly (then there is nothing new to save). */
  restoredKey?: string;
  cacheKey?: string;
}

function dbCachePaths(cacheDir: string): string[] {
  return [path.join(cacheDir, 'db'), path.join(cacheDir, 'java-db')];
}

/** The last line Trivy logged at FATAL/ERROR level: the reason a download failed. */
function failureReason(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  const fatal = [...lines].reverse().find((l) => /\b(FATAL|ERROR)\b/.test(l));
  return (fatal ?? tail(stderr, 1)).replace(/^\S+\s+(FATAL|ERROR)\s+/, '').trim();
}

/**
 * Make the vulnerability DB in `cacheDir` usable without a download during the scan: keep
 * a fresh one, else restore today's (or the latest) cache entry, else download it from the
 * first repository that answers.
 */
export async function prepareVulnerabilityDb(
  trivy: Trivy,
  cacheDir: string,
  repositories: string[],
): Promise<DbState> {
  const dbDir = path.join(cacheDir, 'db');
  const now = new Date();
  if (dbIsFresh(readDbMetadata(dbDir), now)) {
    core.info(`Vulnerability DB in ${dbDir} is up to date; nothing to download`);
    return { repository: '' };
  }
  const state: DbState = { repository: '' };
  const cache = await cacheService();
  if (cache) {
    state.cacheKey = dbCacheKey(now, `${process.platform}-${process.arch}`);
    try {
      state.restoredKey = await cache.restoreCache(dbCachePaths(cacheDir), state.cacheKey, [
        `${DB_CACHE_PREFIX}${process.platform}-${process.arch}-`,
      ]);
      core.info(
        state.restoredKey
          ? `Restored the vulnerability DB from cache ${state.restoredKey}`
          : `No cached vulnerability DB yet (key ${state.cacheKey})`,
      );
    } catch (err) {
      core.warning(`Restoring the vulnerability DB cache failed: ${errorMessage(err)}`);
    }
    if (dbIsFresh(readDbMetadata(dbDir), now)) return state;
  }
  const failures: string[] = [];
  for (const repository of repositories) {
    core.info(`Downloading the vulnerability DB from ${repository}`);
    const result = await run(trivy.path, dbDownloadArgs(repository, cacheDir), {
      allowFailure: true,
      stream: true,
    });
    if (result.exitCode === 0) {
      state.repository = repository;
      return state;
    }
    failures.push(`${repository}: ${failureReason(result.stderr || result.stdout)}`);
    core.warning(`Vulnerability DB download from ${repository} failed; trying the next repository`);
  }
  throw new InputError(
    'trivy-db-repository',
    `the vulnerability DB could not be downloaded from any repository:\n  - ${failures.join('\n  - ')}`,
  );
}

/** Save the DB (and a Java DB Trivy fetched) under today's key unless it came from there. */
export async function saveVulnerabilityDb(state: DbState, cacheDir: string): Promise<void> {
  const cache = await cacheService();
  if (!cache || !state.cacheKey || state.restoredKey === state.cacheKey) return;
  if (!fs.existsSync(path.join(cacheDir, 'db'))) return;
  try {
    // The same path list as the restore: the cache service matches entries by a hash of it.
    // A Java DB Trivy did not need is simply absent from the archive.
    await cache.saveCache(dbCachePaths(cacheDir), state.cacheKey);
    core.info(`Saved the vulnerability DB to cache ${state.cacheKey}`);
  } catch (err) {
    // Another job of the same day may have saved it first; the DB itself is fine.
    core.warning(`Saving the vulnerability DB cache failed: ${errorMessage(err)}`);
  }
}

/** Run the scan and return Trivy's JSON report text. */
export async function scanWithTrivy(
  trivy: Trivy,
  command: Omit<ScanCommand, 'outputFile'>,
  cwd: string,
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'gantry-scan-'));
  const outputFile = path.join(dir, 'trivy-report.json');
  try {
    await run(trivy.path, scanArgs({ ...command, outputFile }), { cwd, stream: true });
    return fs.readFileSync(outputFile, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
