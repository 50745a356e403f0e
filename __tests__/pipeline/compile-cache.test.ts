// The launcher's V8 code cache: kept only where files outlive the job, named by the bundle's
// content, and the bundle run through it behaves as `require` would run it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileCacheDir, compileCacheFile } from '../../src/launch/compile-cache';

describe('compileCacheDir', () => {
  it.each([
    ['kept on a self-hosted runner', { RUNNER_ENVIRONMENT: 'self-hosted' }, true],
    ['kept outside a runner (act, a workstation)', {}, true],
    [
      'not kept on a GitHub-hosted runner (a fresh machine every job)',
      { RUNNER_ENVIRONMENT: 'github-hosted' },
      false,
    ],
    ['not kept with GANTRY_COMPILE_CACHE=off', { GANTRY_COMPILE_CACHE: 'off' }, false],
    ['not kept with GANTRY_COMPILE_CACHE=false', { GANTRY_COMPILE_CACHE: 'false' }, false],
  ])('%s', (_what, env, kept) => {
    expect(compileCacheDir(env) !== undefined).toBe(kept);
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/gantry/compile-cache');
    expect(compileCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'gantry', 'compile-cache'));
  });
});

describe('compileCacheFile', () => {
  const runtime = { version: 'v24.1.0', arch: 'x64', execArgv: [] as string[] };
  const name = (source: string, r = runtime) => compileCacheFile('/c', Buffer.from(source), r);

  it('names the file by content, not length, and by the Node that compiled it', () => {
    expect(name('a = 1')).toBe(name('a = 1'));
    expect(name('a = 1')).not.toBe(name('a = 2'));
    expect(name('a = 1')).not.toBe(name('a = 1', { ...runtime, version: 'v24.2.0' }));
    expect(name('a = 1')).not.toBe(name('a = 1', { ...runtime, execArgv: ['--no-lazy'] }));
    expect(path.dirname(name('a = 1'))).toBe('/c');
  });
});

describe('runCached', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-launch-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle as require would, writing the cache once, then reading it', () => {
    const bundle = path.join(dir, 'main', 'index.js');
    fs.mkdirSync(path.dirname(bundle));
    fs.writeFileSync(path.join(dir, 'main', 'helper.js'), 'module.exports = 41;');
    fs.writeFileSync(
      bundle,
      "const n = require('./helper') + 1; console.log(JSON.stringify({ n, dir: __dirname, file: __filename, self: module.filename })); process.exitCode = 3;",
    );
    const cache = path.join(dir, 'cache');
    const launch = `require(${JSON.stringify(path.resolve('src/launch/run-cached.ts'))}).runCached(${JSON.stringify(bundle)}, ${JSON.stringify(cache)})`;
    // The TypeScript source, run by Node itself (tsx compiles it), in a process of its own: the
    // cache is written when that process exits.
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', launch], { encoding: 'utf8' });
    const first = run();
    expect(first.status).toBe(3);
    expect(JSON.parse(first.stdout)).toEqual({
      n: 42,
      dir: path.dirname(bundle),
      file: bundle,
      self: bundle,
    });
    const files = fs.readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.v8$/);
    const written = fs.statSync(path.join(cache, files[0])).mtimeMs;
    const second = run();
    expect(second.status).toBe(3);
    expect(JSON.parse(second.stdout).n).toBe(42);
    // Accepted as it was: not written again.
    expect(fs.statSync(path.join(cache, files[0])).mtimeMs).toBe(written);
  });

  it('keeps the caches of the 8 newest bundle versions', () => {
    const cache = path.join(dir, 'cache');
    fs.mkdirSync(cache);
    for (let i = 0; i < 9; i++) {
      const file = path.join(cache, `old${i}.v8`);
      fs.writeFileSync(file, 'x');
      fs.utimesSync(file, 1_000_000 + i, 1_000_000 + i);
    }
    const bundle = path.join(dir, 'index.js');
    fs.writeFileSync(bundle, 'module.exports = 1;');
    const launch = `require(${JSON.stringify(path.resolve('src/launch/run-cached.ts'))}).runCached(${JSON.stringify(bundle)}, ${JSON.stringify(cache)})`;
    spawnSync(process.execPath, ['--import', 'tsx', '-e', launch]);
    const left = fs.readdirSync(cache).sort();
    expect(left).toHaveLength(8);
    // The new one and the 7 newest of the old; old0 and old1 are gone.
    expect(left.filter((name) => name.startsWith('old'))).toEqual(
      ['old2', 'old3', 'old4', 'old5', 'old6', 'old7', 'old8'].map((n) => `${n}.v8`),
    );
  });
});
