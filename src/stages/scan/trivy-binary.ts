// Which trivy runs: $TRIVY or the one on PATH when its version matches, else the tool cache,
// else the release archive. `trivy --version` answers are remembered per binary.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage } from '../../lib/errors';
import { run } from '../../lib/exec';
import { parseTrivyVersion } from './release';
import { downloadRelease, loadToolCache } from './trivy-download';

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

export interface TrivySetup {
  version: string;
  cacheDir: string;
  /** skip-setup-trivy: whatever trivy is at $TRIVY or on PATH, any version, no download. */
  skipSetup: boolean;
  /** token-setup-trivy, for the release download. */
  token: string;
}

/**
 * A trivy of exactly `version`: $TRIVY or the one on PATH when it matches, else the tool
 * cache, else the release archive (checksum-verified, then kept in the tool cache).
 */
export async function installTrivy(setup: TrivySetup): Promise<Trivy> {
  const { version, cacheDir } = setup;
  const versions = new TrivyVersions(path.join(cacheDir, 'gantry-trivy-versions.json'));
  try {
    const binaryName = process.platform === 'win32' ? 'trivy.exe' : 'trivy';
    const candidates: [string, string][] = [];
    if (process.env.TRIVY) candidates.push([process.env.TRIVY, 'TRIVY']);
    candidates.push([binaryName, 'PATH']);
    for (const [binary, source] of candidates) {
      const found = await versions.of(binary);
      if (found && (setup.skipSetup || found.version === version)) {
        return { path: found.path, version: found.version, source };
      }
      if (found) {
        core.info(`Not using trivy ${found.version} from ${source}: trivy-version is v${version}`);
      }
    }
    if (setup.skipSetup) {
      throw new Error(
        'skip-setup-trivy is true but there is no trivy on PATH or at $TRIVY; install one ' +
          'in an earlier step or let Gantry download it (skip-setup-trivy: false)',
      );
    }
    let dir = (await loadToolCache()).find('trivy', version);
    let source = 'tool cache';
    if (!dir) {
      dir = await downloadRelease(version, setup.token);
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
