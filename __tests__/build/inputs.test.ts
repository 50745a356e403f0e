import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { credentialLookingArgs, parseBuildInputs } from '../../src/stages/build/inputs';
import { buildFacts } from './helpers';

let workspace: string;

beforeAll(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-build-inputs-'));
  fs.mkdirSync(path.join(workspace, 'app'));
  fs.writeFileSync(path.join(workspace, 'app', 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(workspace, 'Dockerfile.prod'), 'FROM scratch\n');
  fs.writeFileSync(path.join(workspace, 'npmrc'), '//registry/:_authToken=x\n');
});

afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

function parse(values: Record<string, string>) {
  return parseBuildInputs(mapInputs({ context: 'app', ...values }), buildFacts({ workspace }), {
    RUNNER_TEMP: '/runner/tmp',
  });
}

describe('parseBuildInputs', () => {
  it('reads the defaults', () => {
    const inputs = parse({});
    expect(inputs).toMatchObject({
      context: 'app',
      file: '',
      push: false,
      load: false,
      cache: 'auto',
      cacheDir: '/runner/tmp/gantry-cache',
      secrets: [],
      warnings: [],
    });
  });

  it('reads the directory for cache: local', () => {
    expect(parse({ 'local-cache-dir': '.cache/build' }).cacheDir).toBe('.cache/build');
  });

  it('reads lists the way build-push-action does', () => {
    const inputs = parse({
      platforms: 'linux/amd64,linux/arm64',
      'build-args': 'A=1\nURL=https://x/?a=b,c=d\nHASH=abc#def\n# a comment',
      tags: 'r/app:1, r/app:latest',
      labels: 'org.opencontainers.image.title=App, with a comma',
      'cache-from': 'type=gha,scope=x',
      ulimit: 'nofile=1024:1024',
    });
    expect(inputs.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(inputs.buildArgs).toEqual(['A=1', 'URL=https://x/?a=b,c=d', 'HASH=abc#def']);
    expect(inputs.tags).toEqual(['r/app:1', 'r/app:latest']);
    expect(inputs.labels).toEqual(['org.opencontainers.image.title=App, with a comma']);
    expect(inputs.cacheFrom).toEqual(['type=gha,scope=x']);
    expect(inputs.ulimit).toEqual(['nofile=1024:1024']);
  });

  it('reads the three kinds of secret, multi-line values included', () => {
    const inputs = parse({
      secrets: 'GIT_AUTH_TOKEN=abc=def#1\n"KEY=line one\nline two"',
      'secret-files': 'npmrc=npmrc',
      'secret-envs': 'aws=AWS_SECRET_ACCESS_KEY',
    });
    expect(inputs.secrets).toEqual([
      { id: 'GIT_AUTH_TOKEN', kind: 'value', value: 'abc=def#1' },
      { id: 'KEY', kind: 'value', value: 'line one\nline two' },
      { id: 'npmrc', kind: 'file', path: 'npmrc' },
      { id: 'aws', kind: 'env', variable: 'AWS_SECRET_ACCESS_KEY' },
    ]);
  });

  it('warns about build args that look like credentials, pointing to secrets', () => {
    const inputs = parse({ 'build-args': 'NPM_TOKEN=x\nVERSION=1\nDB_PASSWORD=y' });
    expect(inputs.warnings).toHaveLength(2);
    expect(inputs.warnings[0]).toMatch(/"NPM_TOKEN" looks like a credential.*`secrets`/);
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['a missing context', { context: 'nope' }, 'context', /directory "nope" does not exist/],
    ['a context with no Dockerfile', { context: '.' }, 'file', /no Dockerfile at Dockerfile/],
    [
      'a missing Dockerfile',
      { file: 'app/Dockerfile.dev' },
      'file',
      /"app\/Dockerfile.dev" does not exist/,
    ],
    ['push with no image names', { push: 'true' }, 'push', /no image name to push to/],
    [
      'load with several platforms',
      { load: 'true', platforms: 'linux/amd64,linux/arm64' },
      'load',
      /loads one platform at a time/,
    ],
    ['a secret line without =', { secrets: 'A=1\njusttext' }, 'secrets', /item 2 is not id=value/],
    [
      'a build arg without =',
      { 'build-args': 'VERSION' },
      'build-args',
      /item 1 is not NAME=value/,
    ],
    ['a build arg with an empty name', { 'build-args': '=1' }, 'build-args', /item 1/],
    [
      'a secret file that does not exist',
      { 'secret-files': 'a=missing' },
      'secret-files',
      /does not exist/,
    ],
    [
      'a secret env that is not a name',
      { 'secret-envs': 'a=$X' },
      'secret-envs',
      /id=ENV_VARIABLE/,
    ],
    ['a secret id given twice', { secrets: 'a=1', 'secret-envs': 'a=B' }, 'secrets', /given twice/],
    ['an unknown cache', { cache: 'redis' }, 'cache', /not one of auto, gha, registry/],
    ['a bad boolean', { push: 'yes' }, 'push', /not a boolean/],
    ['a bad shm-size', { 'shm-size': 'lots' }, 'shm-size', /not a size/],
  ])('rejects %s', (_name, values, input, message) => {
    expect(() => parse(values)).toThrow(InputError);
    expect(() => parse(values)).toThrow(
      expect.objectContaining({ input, message: expect.stringMatching(message) }),
    );
  });

  it('never quotes a malformed secret line in its error', () => {
    expect(() => parse({ secrets: 'hunter2-no-equals' })).toThrow(/^((?!hunter2).)*$/s);
  });

  it('accepts push when meta will name the images', () => {
    expect(parse({ push: 'true', images: '127.0.0.1:5000/acme/app' }).push).toBe(true);
  });

  it('does not check remote contexts locally', () => {
    const inputs = parse({ context: 'https://github.com/acme/app.git#main' });
    expect(inputs.context).toBe('https://github.com/acme/app.git#main');
  });

  it('reads file relative to the workspace, as buildx does', () => {
    expect(parse({ file: 'Dockerfile.prod' }).file).toBe('Dockerfile.prod');
  });
});

describe('credentialLookingArgs', () => {
  it.each([
    [['GITHUB_TOKEN=x'], ['GITHUB_TOKEN']],
    [
      ['aws_secret_access_key=x', 'API_KEY=y', 'APIKEY=z'],
      ['aws_secret_access_key', 'API_KEY', 'APIKEY'],
    ],
    [['VERSION=1', 'NODE_ENV=production', 'AUTHOR=me'], ['AUTHOR']],
    [['GO_VERSION=1.22'], []],
  ])('%j -> %j', (args, expected) => expect(credentialLookingArgs(args)).toEqual(expected));
});
