// A stand-in for the `undici` package, substituted for it in the bundle only (tsconfig `paths`,
// which ncc follows). @actions/http-client and @actions/github require undici when they load, for
// proxy support and their fetch, although a run with no proxy never uses it; evaluating undici is
// the largest single cost of an action start. This evaluates the real module on first use
// instead. The path below is not the bare name `undici`, so it is not substituted.
'use strict';

let real;
function load() {
  real ??= require('undici/index.js');
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
