// What the post step's entry (src/post.ts) loads when a deploy did not finish: in dist/ the split
// bundle dist/split/post-backstop (see split.js), elsewhere (tests, tsx) the module itself.
'use strict';

const { bundled, loadSplit, nodeRequire } = require('./split');

module.exports = bundled ? loadSplit('post-backstop') : nodeRequire('../post-backstop');
