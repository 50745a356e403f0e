// A stand-in for the `undici` package, substituted for it in the bundle only (tsconfig `paths`,
// which ncc follows). @actions/http-client and @actions/github require undici when they load, for
// proxy support and their fetch, although Gantry's API calls go through node:http
// (src/lib/http-fetch.ts) and never use it. This loads the real module on first use: from its
// split bundle (see split.js) inside dist/, from node_modules elsewhere. Neither path below is
// the bare name `undici`, so neither is substituted.
'use strict';

const { bundled, loadSplit, nodeRequire } = require('./split');

let real;
function load() {
  real ??= bundled ? loadSplit('undici') : nodeRequire('undici/index.js');
  return real;
}

module.exports = new Proxy(
  {},
  {
    get: (_target, key) => load()[key],
    has: (_target, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);
