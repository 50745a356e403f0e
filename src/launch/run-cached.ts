// Runs a CommonJS bundle as `require` would, but compiled with the V8 code cache kept for it
// (compile-cache.ts): the cache is read when there is one V8 accepts, and written once, when the
// process exits, with every function this run compiled; later runs start from it.
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as vm from 'vm';
import { compileCacheFile } from './compile-cache';

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** How many bundle versions keep a cache: a runner may run several pinned releases. */
const KEEP = 8;

/** Written beside, then renamed: a job starting at the same time reads all of it or none. */
function writeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
    // A new version's cache is written once: the time to drop the oldest.
    const caches = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.v8'))
      .map((name) => ({ name, at: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of caches.slice(KEEP)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // No cache this time; the next job tries again.
  }
}

export function runCached(file: string, cacheDir: string): void {
  const source = fs.readFileSync(file);
  const cacheFile = compileCacheFile(cacheDir, source, process);
  const cachedData = readCache(cacheFile);
  const script = new vm.Script(Module.wrap(source.toString('utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
  }
  const bundle = new Module(file, module);
  bundle.filename = file;
  bundle.loaded = true;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(
    bundle.exports,
    bundle.exports,
    Module.createRequire(file),
    bundle,
    file,
    path.dirname(file),
  );
}
