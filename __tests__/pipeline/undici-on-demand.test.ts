// The bundle substitutes this stand-in for undici; the toolkit must see the same module through it.
import type * as Undici from 'undici/index.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const onDemand = require('../../src/lib/undici-on-demand.js') as typeof Undici;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const undici = require('undici/index.js') as typeof Undici;

describe('undici on demand', () => {
  it.each(['ProxyAgent', 'fetch', 'Agent', 'setGlobalDispatcher'] as const)(
    'gives the real %s',
    (name) => {
      expect(onDemand[name]).toBe(undici[name]);
      expect(name in onDemand).toBe(true);
    },
  );

  it('lists the same exports', () => {
    expect(Object.keys(onDemand).sort()).toEqual(Object.keys(undici).sort());
  });

  it('builds a working proxy agent, as @actions/http-client does behind a proxy', async () => {
    const agent = new onDemand.ProxyAgent('http://127.0.0.1:9');
    expect(agent).toBeInstanceOf(undici.ProxyAgent);
    await agent.close();
  });
});
