import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCliArgs } from '../../src/cli';

describe('parseCliArgs', () => {
  it('takes inputs as --name value and --name=value, and the event from its own flags', () => {
    const args = parseCliArgs([
      '--stages',
      'meta',
      '--images=reg/app',
      '--ref',
      'refs/tags/v1.2.3',
      '--sha',
      'abc',
      '--event',
      'release',
      '--repository',
      'acme/app',
    ]);
    expect(args).toEqual({
      inputs: { stages: 'meta', images: 'reg/app' },
      ref: 'refs/tags/v1.2.3',
      sha: 'abc',
      event: 'release',
      repository: 'acme/app',
      defaultBranch: 'main',
    });
  });

  it('reads a YAML file of inputs; flags win over it; lists become lines', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-cli-')), 'gantry.yml');
    fs.writeFileSync(
      file,
      'images: reg/app\ntags:\n  - type=sha\n  - type=ref,event=branch\npush: true\n',
    );
    const args = parseCliArgs(['--config', file, '--images', 'reg/other']);
    expect(args.inputs).toEqual({
      images: 'reg/other',
      tags: 'type=sha\ntype=ref,event=branch',
      push: 'true',
    });
  });

  it.each([
    [['stray'], /unexpected argument "stray"/],
    [['--images'], /--images needs a value/],
  ])('%j is an error with the usage', (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(message);
  });
});
