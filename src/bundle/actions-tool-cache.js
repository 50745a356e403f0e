// What Gantry imports for `@actions/tool-cache`. In dist/ the real module, with the HTTP and storage
// clients it pulls in, is a split bundle (see split.js) that only the runs importing it compile;
// elsewhere (tests, tsx) it is the module in node_modules.
'use strict';

const { bundled, loadSplit, nodeRequire } = require('./split');

module.exports = bundled
  ? loadSplit('actions-tool-cache')
  : nodeRequire('@actions/tool-cache/lib/tool-cache.js');
