// Bundled by ncc into dist/index.js, which action.yml runs: starts the action's bundle
// (dist/main/index.js) with V8's code cache where one is kept between jobs (launch/).
import * as path from 'path';
import { nodeRequire } from './bundle/split';
import { compileCacheDir } from './launch/compile-cache';
import { runCached } from './launch/run-cached';

const main = path.join(__dirname, 'main', 'index.js');
const cacheDir = compileCacheDir(process.env);
if (cacheDir) runCached(main, cacheDir);
else nodeRequire(main);
