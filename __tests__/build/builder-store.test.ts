import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildxStoreDir, storedBuilder } from '../../src/stages/build/builder-store';

describe('storedBuilder: a named builder from buildx instance files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'buildx-store-'));
    fs.mkdirSync(path.join(dir, 'instances'));
    fs.writeFileSync(
      path.join(dir, 'instances', 'ci'),
      JSON.stringify({ Name: 'ci', Driver: 'docker-container', Nodes: [] }),
    );
    fs.writeFileSync(path.join(dir, 'instances', 'broken'), '{not json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the builder input', 'ci', {}, { name: 'ci', driver: 'docker-container' }],
    ['BUILDX_BUILDER', '', { BUILDX_BUILDER: 'ci' }, { name: 'ci', driver: 'docker-container' }],
    ['no name (current or default builder)', '', {}, undefined],
    ['a name without an instance file (a docker context)', 'default', {}, undefined],
    ['a file that does not parse', 'broken', {}, undefined],
    ['a name with a path in it', '../instances/ci', {}, undefined],
  ])('%s', (_what, builder, env, expected) => {
    expect(storedBuilder(builder, { BUILDX_CONFIG: dir, ...env })).toEqual(expected);
  });

  it.each([
    [{ BUILDX_CONFIG: '/b' }, '/b'],
    [{ DOCKER_CONFIG: '/d' }, '/d/buildx'],
    [{}, path.join(os.homedir(), '.docker', 'buildx')],
  ])('store dir for %j', (env, expected) => {
    expect(buildxStoreDir(env)).toBe(expected);
  });
});
