// The build-push-action inputs Gantry added (context default, Git context, call, attests,
// cache shared with trivy-action, environment variables), read by the build's input parser.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapInputs } from '../../src/inputs';
import { attestArgs, hasAttestationType, toDockerEngine } from '../../src/stages/build/attest';
import { readBuildEnv } from '../../src/stages/build/build-env';
import {
  defaultGitContext,
  gitAuthSecretId,
  gitSubdir,
  renderDefaultContext,
} from '../../src/stages/build/git-context';
import { parseBuildInputs } from '../../src/stages/build/inputs';
import { buildFacts } from './helpers';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const GIT = `https://github.com/acme/app.git#${SHA}`;
let root: string;
let checkout: string;
let dockerfileOnly: string;
let empty: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-build-dropin-'));
  checkout = path.join(root, 'checkout');
  dockerfileOnly = path.join(root, 'dockerfile-only');
  empty = path.join(root, 'empty');
  fs.mkdirSync(path.join(checkout, '.git'), { recursive: true });
  fs.writeFileSync(path.join(checkout, 'Dockerfile'), 'FROM scratch\n');
  fs.mkdirSync(dockerfileOnly);
  fs.writeFileSync(path.join(dockerfileOnly, 'Dockerfile'), 'FROM scratch\n');
  fs.mkdirSync(empty);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function parse(values: Record<string, string>, workspace = empty, env: NodeJS.ProcessEnv = {}) {
  return parseBuildInputs(mapInputs(values), buildFacts({ workspace }), env);
}

describe('the build context when `context` is not given', () => {
  it.each([
    ['a checkout', () => checkout, '.', 'workspace'],
    ['only the Dockerfile', () => dockerfileOnly, '.', 'workspace'],
    ['nothing (no actions/checkout step)', () => empty, GIT, 'git'],
  ])('workspace with %s: %s', (_what, workspace, context, origin) => {
    expect(parse({}, workspace())).toMatchObject({ context, contextOrigin: origin });
  });

  // metadata-action's `context` (where the ref comes from) is the meta stage's input.
  it.each(['workflow', 'git'])("context: %s is metadata-action's, not a directory", (value) => {
    expect(parse({ context: value }, empty)).toMatchObject({ context: GIT, contextOrigin: 'git' });
    expect(parse({ context: value }, checkout)).toMatchObject({ context: '.' });
  });

  it('renders {{defaultContext}} in context and build-contexts', () => {
    const inputs = parse({
      context: '{{ defaultContext }}:app',
      'build-contexts': 'shared={{defaultContext}}:shared\nalpine=docker-image://alpine',
    });
    expect(inputs.context).toBe(`${GIT}:app`);
    expect(inputs.buildContexts).toEqual([`shared=${GIT}:shared`, 'alpine=docker-image://alpine']);
  });

  it('reads a Git context without checking `file` in the workspace (it is in the repository)', () => {
    expect(parse({ file: 'docker/Dockerfile.prod' }).context).toBe(GIT);
  });
});

describe('github-token for the Git context', () => {
  it('becomes the GIT_AUTH_TOKEN.<host> secret, a value (written to a file, never argv)', () => {
    expect(parse({ 'github-token': 'ghs_x' }).gitAuth).toEqual({
      id: 'GIT_AUTH_TOKEN.github.com',
      kind: 'value',
      value: 'ghs_x',
    });
  });

  it.each([
    ['a path context', { context: '.' }, 'checkout'],
    ['a GIT_AUTH_TOKEN secret of the user', { secrets: 'GIT_AUTH_TOKEN=mine' }, 'empty'],
    [
      'the same host secret of the user',
      { 'secret-envs': 'GIT_AUTH_TOKEN.github.com=TOKEN' },
      'empty',
    ],
    ['an empty token', { 'github-token': '' }, 'empty'],
  ])('is not added for %s', (_what, values, workspace) => {
    const dir = workspace === 'checkout' ? checkout : empty;
    expect(parse({ 'github-token': 'ghs_x', ...values }, dir).gitAuth).toBeUndefined();
  });

  it('is added when only a build context uses the Git context', () => {
    const inputs = parse(
      { 'github-token': 'ghs_x', 'build-contexts': 'src={{defaultContext}}' },
      checkout,
    );
    expect(inputs.gitAuth?.id).toBe('GIT_AUTH_TOKEN.github.com');
  });

  it.each([
    ['https://github.com', 'GIT_AUTH_TOKEN.github.com'],
    ['http://127.0.0.1:8080', 'GIT_AUTH_TOKEN.127.0.0.1:8080'],
    ['not a url', 'GIT_AUTH_TOKEN.github.com'],
  ])('host of %s: %s', (server, id) => expect(gitAuthSecretId(server)).toBe(id));
});

describe('defaultGitContext', () => {
  const facts = buildFacts();
  it.each<[string, Partial<typeof facts>, NodeJS.ProcessEnv, string]>([
    ['a push: the commit', {}, {}, GIT],
    ['no commit: the ref', { sha: '' }, {}, 'https://github.com/acme/app.git#refs/heads/main'],
    [
      'a bare branch name',
      { sha: '', ref: 'main' },
      {},
      'https://github.com/acme/app.git#refs/heads/main',
    ],
    ['a pull request: the merge commit', { ref: 'refs/pull/7/merge' }, {}, GIT],
    [
      'a pull request with DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF: the head commit',
      { ref: 'refs/pull/7/merge', payload: { pull_request: { head: { sha: 'f'.repeat(40) } } } },
      { DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF: 'true' },
      `https://github.com/acme/app.git#${'f'.repeat(40)}`,
    ],
    [
      'BUILDX_SEND_GIT_QUERY_AS_INPUT: the query form',
      {},
      { BUILDX_SEND_GIT_QUERY_AS_INPUT: 'true' },
      `https://github.com/acme/app.git?ref=${SHA}`,
    ],
    [
      'GitHub Enterprise Server',
      { serverUrl: 'https://ghe.example.com/' },
      {},
      `https://ghe.example.com/acme/app.git#${SHA}`,
    ],
  ])('%s', (_what, overrides, env, expected) => {
    expect(defaultGitContext({ ...facts, ...overrides }, env)).toBe(expected);
  });

  it.each([
    [`${GIT}:app`, 'git', 'app'],
    [GIT, 'git', ''],
    [`https://github.com/acme/app.git?ref=${SHA}&subdir=svc`, 'git', 'svc'],
    ['.', 'input', undefined],
  ])('gitSubdir(%s)', (context, contextOrigin, expected) => {
    expect(gitSubdir({ context, contextOrigin })).toBe(expected);
  });

  it('leaves other braces alone', () => {
    expect(renderDefaultContext('{{other}}/{{defaultContext}}', 'X')).toBe('{{other}}/X');
  });
});

describe('call', () => {
  it.each([
    ['', '', 'build'],
    ['check', 'check,format=json', 'check'],
    ['check,format=json', 'check,format=json', 'check'],
    ['check,format=text', 'check,format=text', 'check'],
    ['outline', 'outline', 'outline'],
    ['targets', 'targets', 'targets'],
    ['build', 'build', 'build'],
  ])('call: %j -> --call %j (%s)', (value, call, callMethod) => {
    expect(parse({ call: value }, checkout)).toMatchObject({ call, callMethod });
  });

  it('refuses a method buildx does not know, naming the ones it does', () => {
    expect(() => parse({ call: 'lint' }, checkout)).toThrow(
      /Input "call": "lint" is not a method buildx evaluates; use one of build, check, outline, targets/,
    );
  });
});

describe('cache shared with trivy-action', () => {
  // trivy-action's `cache: true|false` is its Trivy cache switch (the scan stage reads it).
  it.each(['true', 'false', 'TRUE'])('cache: %s leaves the build plan at auto', (value) => {
    expect(parse({ cache: value }, checkout).cache).toBe('auto');
  });
  it('still refuses other words', () => {
    expect(() => parse({ cache: 'yes' }, checkout)).toThrow(/Input "cache": "yes" is not one of/);
  });
});

describe('attestations', () => {
  const base = {
    provenance: '',
    sbom: '',
    attests: [],
    builderId: 'https://github.com/acme/app/actions/runs/42/attempts/1',
    privateRepository: false,
    noDefaultAttestations: false,
    toDockerEngine: false,
  };
  it('adds mode=max provenance for a public repository', () => {
    expect(attestArgs(base)).toEqual([
      'type=provenance,mode=max,builder-id=https://github.com/acme/app/actions/runs/42/attempts/1',
    ]);
  });
  it('adds none when the image goes to the engine', () => {
    expect(attestArgs({ ...base, toDockerEngine: true })).toEqual([]);
  });
  it('passes other attestation types through, booleans as disabled=', () => {
    expect(
      attestArgs({ ...base, noDefaultAttestations: true, attests: ['type=custom,true'] }),
    ).toEqual(['type=custom,disabled=false']);
  });
  it('sbom wins over an sbom in attests', () => {
    expect(
      attestArgs({
        ...base,
        noDefaultAttestations: true,
        sbom: 'generator=x',
        attests: ['type=sbom'],
      }),
    ).toEqual(['type=sbom,generator=x']);
  });
  it.each([
    [['type=docker'], false, true],
    [['type=registry'], false, false],
    [[], true, true],
  ])('toDockerEngine(%j, load %s) = %s', (outputs, load, expected) => {
    expect(toDockerEngine(outputs, load)).toBe(expected);
  });
  it('reads the attestation type', () => {
    expect(hasAttestationType('sbom', 'type=sbom,generator=x')).toBe(true);
    expect(hasAttestationType('sbom', 'type=provenance')).toBe(false);
  });
  it("parses the inputs with the run's builder-id and the repository's visibility", () => {
    expect(parse({}, checkout).attestations).toEqual([
      'type=provenance,mode=min,inline-only=true,builder-id=https://github.com/acme/app/actions/runs/42/attempts/1',
    ]);
  });
});

describe("build-push-action's environment variables", () => {
  it('reads the defaults', () => {
    expect(readBuildEnv({})).toEqual({
      summary: true,
      checksAnnotations: true,
      noDefaultAttestations: false,
      notes: [],
    });
  });
  it('turns the summary and check annotations off', () => {
    expect(
      readBuildEnv({ DOCKER_BUILD_SUMMARY: 'false', DOCKER_BUILD_CHECKS_ANNOTATIONS: '0' }),
    ).toMatchObject({ summary: false, checksAnnotations: false });
  });
  it('says in the log what cannot apply here', () => {
    const { notes } = readBuildEnv({
      DOCKER_BUILD_RECORD_UPLOAD: 'true',
      DOCKER_BUILD_RECORD_RETENTION_DAYS: '7',
    });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(
      /^DOCKER_BUILD_RECORD_UPLOAD=true: Gantry does not upload build records/,
    );
    expect(notes[1]).toMatch(/^DOCKER_BUILD_RECORD_RETENTION_DAYS=7: ignored/);
  });
  it.each([
    [
      'DOCKER_BUILD_SUMMARY',
      'nope',
      /"DOCKER_BUILD_SUMMARY": the environment variable "nope" is not a boolean/,
    ],
    ['DOCKER_BUILD_RECORD_RETENTION_DAYS', 'week', /is not a number of days/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => readBuildEnv({ [name]: value })).toThrow(message);
  });
  it('reaches the parsed inputs', () => {
    expect(parse({}, checkout, { DOCKER_BUILD_SUMMARY: 'false' }).env.summary).toBe(false);
  });
});
