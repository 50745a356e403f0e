import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  buildxInvocation,
  findBuildxPlugin,
  pluginDirs,
} from '../../src/stages/build/buildx-plugin';

describe('the buildx plugin, found where the docker CLI looks', () => {
  let root: string;
  const dir = (...parts: string[]) => path.join(root, ...parts);
  const plugin = (where: string, mode = 0o755) => {
    fs.mkdirSync(where, { recursive: true });
    fs.writeFileSync(path.join(where, 'docker-buildx'), '#!/bin/sh\n', { mode });
    return path.join(where, 'docker-buildx');
  };
  const config = (body: unknown) => {
    fs.mkdirSync(dir('config'), { recursive: true });
    fs.writeFileSync(dir('config', 'config.json'), JSON.stringify(body));
  };
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-plugins-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('searches the config extra dirs, then the config dir, then the system dirs', () => {
    config({ cliPluginsExtraDirs: ['/opt/a', 7, '/opt/b'] });
    expect(pluginDirs({ DOCKER_CONFIG: dir('config') })).toEqual([
      '/opt/a',
      '/opt/b',
      dir('config', 'cli-plugins'),
      '/usr/local/lib/docker/cli-plugins',
      '/usr/local/libexec/docker/cli-plugins',
      '/usr/lib/docker/cli-plugins',
      '/usr/libexec/docker/cli-plugins',
    ]);
    expect(pluginDirs({ HOME: '/h' })[0]).toBe(path.join(os.homedir(), '.docker', 'cli-plugins'));
  });

  it.each([
    ['the first executable file in search order', () => plugin(dir('config', 'cli-plugins'))],
    [
      'an extra dir before the config dir',
      () => {
        plugin(dir('config', 'cli-plugins'));
        config({ cliPluginsExtraDirs: [dir('extra')] });
        return plugin(dir('extra'));
      },
    ],
    [
      'past a file that is not executable',
      () => {
        plugin(dir('extra'), 0o644);
        config({ cliPluginsExtraDirs: [dir('extra')] });
        return plugin(dir('config', 'cli-plugins'));
      },
    ],
    [
      'past a broken symlink and a directory of that name',
      () => {
        fs.mkdirSync(dir('a', 'docker-buildx'), { recursive: true });
        fs.mkdirSync(dir('b'));
        fs.symlinkSync(dir('nowhere'), dir('b', 'docker-buildx'));
        config({ cliPluginsExtraDirs: [dir('a'), dir('b')] });
        return plugin(dir('config', 'cli-plugins'));
      },
    ],
  ])('finds %s', (_what, arrange) => {
    const expected = arrange();
    expect(findBuildxPlugin({ DOCKER_CONFIG: dir('config') }, 'linux')).toBe(expected);
  });

  it('is not looked for off Linux (other plugin directories there)', () => {
    plugin(dir('config', 'cli-plugins'));
    expect(findBuildxPlugin({ DOCKER_CONFIG: dir('config') }, 'darwin')).toBeUndefined();
  });

  it('runs the plugin standalone when found, else docker buildx', () => {
    const found = plugin(dir('config', 'cli-plugins'));
    expect(buildxInvocation(['build', '.'], { DOCKER_CONFIG: dir('config') })).toEqual({
      tool: found,
      args: ['build', '.'],
    });
    const bare = dir('bare');
    fs.mkdirSync(bare);
    const invocation = buildxInvocation(['version'], { DOCKER_CONFIG: bare });
    // The system directories may hold a plugin on the machine running this test.
    const system = findBuildxPlugin({ DOCKER_CONFIG: bare });
    expect(invocation).toEqual(
      system
        ? { tool: system, args: ['version'] }
        : { tool: 'docker', args: ['buildx', 'version'] },
    );
  });
});
