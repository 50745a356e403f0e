// Finds and loads a split bundle: a dependency that most runs never use, built by scripts/build.sh
// into its own file (dist/split/<name>/index.js) so that starting the action does not compile it.
// Compiling the bundle is most of an action's start-up, and it grows with every byte in it.
// The caller may be dist/index.js, dist/cli/index.js or another split bundle, so the directory
// is found by walking up from the running file.
'use strict';

const fs = require('fs');
const path = require('path');

// Whether this runs inside a webpack (ncc) bundle, where `__non_webpack_require__` is Node's own
// require; webpack's `require` only knows the modules bundled with it.
const bundled = typeof __non_webpack_require__ === 'function';
// Node's require, which webpack does not follow: a module named through it is not bundled.
// eslint-disable-next-line no-undef
const nodeRequire = bundled ? __non_webpack_require__ : require;

function loadSplit(name, from = __dirname) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'split', name, 'index.js');
    if (fs.existsSync(file)) return nodeRequire(file);
    if (path.dirname(dir) === dir) {
      throw new Error(
        `Gantry's bundle is incomplete: split/${name}/index.js is missing near ${from}`,
      );
    }
  }
}

module.exports = { bundled, nodeRequire, loadSplit };
