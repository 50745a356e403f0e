// dist/ keeps dependencies most runs never use in split bundles (src/bundle/). Outside the bundle
// the stand-ins must give the very modules in node_modules; the loader must find a split bundle
// from every place that loads one.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as Undici from 'undici/index.js';

/* eslint-disable @typescript-eslint/no-require-imports */
const onDemand = require('../../src/bundle/undici.js') as typeof Undici;
const undici = require('undici/index.js') as typeof Undici;
const { loadSplit } = require('../../src/bundle/split.js') as {
  loadSplit: (name: string, from: string) => unknown;
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe('undici stand-in', () => {
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

describe.each([
  ['actions-cache', '@actions/cache'],
  ['actions-tool-cache', '@actions/tool-cache'],
])('%s stand-in', (file, name) => {
  it(`is ${name} itself outside the bundle`, async () => {
    expect(await import(`../../src/bundle/${file}`)).toEqual(await import(name));
  });
});

describe('loadSplit', () => {
  let dist: string;
  beforeAll(() => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-split-'));
    fs.mkdirSync(path.join(dist, 'split', 'demo'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'split', 'demo', 'index.js'), 'exports.where = __dirname;');
  });
  afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

  it.each([
    ['the action, dist/index.js', ''],
    ['the CLI, dist/cli/index.js', 'cli'],
    ['another split bundle, dist/split/other/index.js', 'split/other'],
  ])('finds dist/split/<name> from %s', (_caller, from) => {
    const loaded = loadSplit('demo', path.join(dist, from)) as { where: string };
    expect(loaded.where).toBe(path.join(dist, 'split', 'demo'));
  });

  it('names the missing file when dist/ is incomplete', () => {
    expect(() => loadSplit('absent', path.join(dist, 'cli'))).toThrow(
      /bundle is incomplete: split\/absent\/index.js is missing/,
    );
  });
});
