// Where the action keeps V8's compiled code for its bundle between jobs. Compiling the bundle
// is a large part of the step's start (about 20 ms of a 100 ms meta-only run here); with the
// code V8 compiled in an earlier job it starts that much sooner. Only where files outlive the
// job: a self-hosted runner, or act on a workstation. A GitHub-hosted runner starts from a
// fresh machine every job, so there writing the cache would only cost time.
import { createHash } from 'crypto';
import * as os from 'os';
import * as path from 'path';

/** The directory for the cache, or undefined where none is kept. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') return undefined;
  if (/^(off|false|0)$/i.test(env.GANTRY_COMPILE_CACHE ?? '')) return undefined;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'gantry', 'compile-cache');
}

/**
 * The cache file for this source under this Node. V8 checks its version and flags itself, but
 * not the source's content (only its length), so the file is named by the content's hash.
 */
export function compileCacheFile(
  dir: string,
  source: Buffer,
  runtime: { version: string; arch: string; execArgv: string[] },
): string {
  const key = createHash('sha256')
    .update(source)
    .update(`\0${runtime.version}\0${runtime.arch}\0${runtime.execArgv.join(' ')}`)
    .digest('hex')
    .slice(0, 32);
  return path.join(dir, `${key}.v8`);
}
