// docker/build-push-action's own argument table (`__tests__/context.test.ts`, cases 0-38), as
// data: the inputs of each case and the buildx argv build-push-action runs for them at buildx
// 0.37 (the testbed's version, so every version gate of the peer is passed), run through
// Gantry's input parser and argument builder. The peer's test runs as docker/build-push-action,
// ref refs/heads/master, no commit SHA, run 123456789 attempt 1, a private repository.
//
// Flags are compared by name with their values (buildx does not care about flag order; Gantry
// writes flags sorted by name). Where Gantry's argv deliberately differs, the case says how and
// why (`differs`). Differences on every build, not repeated per case:
//   - `--progress=plain`: Gantry reads BuildKit's plain log to count cached steps and to find
//     the pushed digest after a failure.
//   - `--` before the context: a context value is never read as a flag (issue 15).
//   - secret values go to files Gantry writes, as the peer's `secrets` do: `src=<file>`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapInputs } from '../../src/inputs';
import { buildxArgs } from '../../src/stages/build/argv';
import { parseBuildInputs } from '../../src/stages/build/inputs';
import { resolveNaming } from '../../src/stages/build/naming';
import { buildPlan, buildxSecrets, cachePlanFor } from '../../src/stages/build/plan';
import { buildFacts } from './helpers';

const BID = 'https://github.com/docker/build-push-action/actions/runs/123456789/attempts/1';
const DEF_PROV = `type=provenance,mode=min,inline-only=true,builder-id=${BID}`;
const GIT = 'https://github.com/docker/build-push-action.git#refs/heads/master';
const IID = ['--iidfile', '<iidfile>'];
const META = ['--metadata-file', '<metadata>'];
const TMP = '<secret file>';
const GANTRY_ALWAYS = ['--progress=plain', '--'];
const BOOLEAN_FLAGS = ['--load', '--push', '--pull', '--no-cache'];

// Gantry's zero-config cache plan when a push has an image name (cache: auto, no Actions cache
// service): the registry cache next to the image, its blobs zstd, and the pushed image's layers
// pinned to gzip. Deliberate (the `cache` input's default).
const REGISTRY_CACHE = (image: string) => [
  '--cache-from',
  `type=registry,ref=${image}:buildcache`,
  '--cache-to',
  `type=registry,ref=${image}:buildcache,mode=max,ignore-error=true,compression=zstd,compression-level=1,image-manifest=true,oci-mediatypes=true`,
  '--output',
  'type=image,compression=gzip,force-compression=true',
];

interface PeerCase {
  n: number;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** The argv after `docker buildx build`, as build-push-action runs it at buildx 0.37. */
  peer: string[];
  differs?: {
    why: string;
    /** Gantry refuses the inputs before building: the message it gives. */
    refused?: RegExp;
    /** Same inputs with these changed, for the part of the case Gantry does run. */
    alsoWith?: { inputs: Record<string, string>; add: string[] };
    /** Flags (with values) Gantry adds to the peer's. */
    add?: string[];
  };
}

const NO_TAG_WHY =
  "the peer's case passes `tag`, which is no input (a typo in its table), with push: true; " +
  'Gantry refuses a push with no image name before building, buildx would fail after it. ' +
  'With `tags` spelled right, Gantry adds `--tag` and its registry cache plan';

// Cases 8-11 push a Git context built by another builder; they differ in their secrets.
const GIT_PUSH = {
  context: GIT,
  tag: 'localhost:5000/name/app:latest',
  file: './test/Dockerfile',
  builder: 'builder-git-context-2',
  push: 'true',
};
const WITH_TAGS = {
  inputs: { tags: 'localhost:5000/name/app:latest' },
  add: ['--tag', 'localhost:5000/name/app:latest', ...REGISTRY_CACHE('localhost:5000/name/app')],
};
const NO_TAG = {
  why: NO_TAG_WHY,
  refused: /Input "push": there is no image name to push to/,
  alsoWith: WITH_TAGS,
};
const FOUR_SECRETS = ['GIT_AUTH_TOKEN', 'MYSECRET', 'FOO', 'EMPTYLINE'].flatMap((id) => [
  '--secret',
  `id=${id},src=<secret file>`,
]);

// prettier-ignore
const CASES: PeerCase[] = [
  { n: 0, inputs: { context: '.' }, peer: [...IID, '--attest', DEF_PROV, ...META, '.'] },
  {
    n: 1,
    inputs: { 'build-args': 'MY_ARG=val1,val2,val3\nARG=val\n"MULTILINE=aaaa\nbbbb\nccc"' },
    peer: ['--build-arg', 'MY_ARG=val1,val2,val3', '--build-arg', 'ARG=val', '--build-arg', 'MULTILINE=aaaa\nbbbb\nccc', ...IID, '--attest', DEF_PROV, ...META, GIT],
  },
  {
    n: 2,
    inputs: { tags: 'name/app:7.4, name/app:latest' },
    peer: [...IID, '--attest', DEF_PROV, ...META, '--tag', 'name/app:7.4', '--tag', 'name/app:latest', GIT],
  },
  {
    n: 3,
    inputs: {
      context: '.',
      labels: 'org.opencontainers.image.title=buildkit\norg.opencontainers.image.description=concurrent, cache-efficient, and Dockerfile-agnostic builder toolkit',
      outputs: 'type=local,dest=./release-out',
    },
    peer: ['--label', 'org.opencontainers.image.title=buildkit', '--label', 'org.opencontainers.image.description=concurrent, cache-efficient, and Dockerfile-agnostic builder toolkit', '--output', 'type=local,dest=./release-out', '--attest', DEF_PROV, ...META, '.'],
  },
  {
    n: 4,
    inputs: { context: '.', platforms: 'linux/amd64,linux/arm64' },
    peer: [...IID, '--platform', 'linux/amd64,linux/arm64', '--attest', DEF_PROV, ...META, '.'],
  },
  { n: 5, inputs: { context: '.' }, peer: [...IID, '--attest', DEF_PROV, ...META, '.'] },
  {
    n: 6,
    inputs: { context: '.', secrets: 'GIT_AUTH_TOKEN=abcdefghijklmno=0123456789' },
    peer: [...IID, '--attest', DEF_PROV, '--secret', `id=GIT_AUTH_TOKEN,src=${TMP}`, ...META, '.'],
  },
  {
    n: 7,
    inputs: { 'github-token': 'abcdefghijklmno0123456789', outputs: '.' },
    peer: ['--output', '.', '--attest', DEF_PROV, '--secret', `id=GIT_AUTH_TOKEN.github.com,src=${TMP}`, ...META, GIT],
  },
  {
    n: 8,
    inputs: {
      ...GIT_PUSH,
      platforms: 'linux/amd64,linux/arm64',
      secrets: 'GIT_AUTH_TOKEN=abcdefghijklmno=0123456789',
    },
    peer: ['--file', './test/Dockerfile', ...IID, '--platform', 'linux/amd64,linux/arm64', '--attest', DEF_PROV, '--secret', `id=GIT_AUTH_TOKEN,src=${TMP}`, '--builder', 'builder-git-context-2', ...META, '--push', GIT],
    differs: NO_TAG,
  },
  {
    n: 9,
    inputs: {
      ...GIT_PUSH,
      platforms: 'linux/amd64,linux/arm64',
      secrets: 'GIT_AUTH_TOKEN=abcdefghi,jklmno=0123456789\n"MYSECRET=aaaaaaaa\nbbbbbbb\nccccccccc"\nFOO=bar\n"EMPTYLINE=aaaa\n\nbbbb\nccc"',
    },
    peer: ['--file', './test/Dockerfile', ...IID, '--platform', 'linux/amd64,linux/arm64', '--attest', DEF_PROV, ...FOUR_SECRETS, '--builder', 'builder-git-context-2', ...META, '--push', GIT],
    differs: NO_TAG,
  },
  {
    n: 10,
    inputs: {
      ...GIT_PUSH,
      platforms: 'linux/amd64,linux/arm64',
      secrets: 'GIT_AUTH_TOKEN=abcdefghi,jklmno=0123456789\nMYSECRET=aaaaaaaa\nbbbbbbb\nccccccccc\nFOO=bar\nEMPTYLINE=aaaa\n\nbbbb\nccc',
    },
    peer: ['--file', './test/Dockerfile', ...IID, '--platform', 'linux/amd64,linux/arm64', '--attest', DEF_PROV, ...FOUR_SECRETS, '--builder', 'builder-git-context-2', ...META, '--push', GIT],
    differs: {
      why:
        "Gantry's strict `secrets` lines: the peer warns about the lines without `=` " +
        '(`bbbbbbb`, ...) and drops them, so MYSECRET silently becomes `aaaaaaaa`. Gantry fails ' +
        'naming the line; a multi-line value is written in double quotes (case 9)',
      refused: /Input "secrets": item 3 is not id=value/,
    },
  },
  {
    n: 11,
    inputs: {
      context: GIT,
      tag: 'localhost:5000/name/app:latest',
      'secret-files': 'MY_SECRET=<fixtures>/secret.txt',
      file: './test/Dockerfile',
      builder: 'builder-git-context-2',
      network: 'host',
      push: 'true',
    },
    peer: ['--file', './test/Dockerfile', ...IID, '--attest', DEF_PROV, '--secret', 'id=MY_SECRET,src=<fixtures>/secret.txt', '--builder', 'builder-git-context-2', ...META, '--network', 'host', '--push', GIT],
    differs: NO_TAG,
  },
  {
    n: 12,
    inputs: {
      context: '.',
      labels: 'org.opencontainers.image.title=filter_results_top_n\norg.opencontainers.image.description=Reference implementation of operation "filter results (top-n)"',
      outputs: 'type=local,dest=./release-out',
    },
    peer: ['--label', 'org.opencontainers.image.title=filter_results_top_n', '--label', 'org.opencontainers.image.description=Reference implementation of operation "filter results (top-n)"', '--output', 'type=local,dest=./release-out', '--attest', DEF_PROV, ...META, '.'],
  },
  {
    n: 13,
    inputs: {
      context: '.',
      tag: 'localhost:5000/name/app:latest',
      file: './test/Dockerfile',
      'add-hosts': 'docker:10.180.0.1,foo:10.0.0.1',
      network: 'host',
      push: 'true',
    },
    peer: ['--add-host', 'docker:10.180.0.1', '--add-host', 'foo:10.0.0.1', '--file', './test/Dockerfile', ...IID, '--attest', DEF_PROV, ...META, '--network', 'host', '--push', '.'],
    differs: NO_TAG,
  },
  {
    n: 14,
    inputs: {
      context: '.',
      file: './test/Dockerfile',
      'add-hosts': 'docker:10.180.0.1\nfoo:10.0.0.1',
      'cgroup-parent': 'foo',
      'shm-size': '2g',
      ulimit: 'nofile=1024:1024\nnproc=3',
    },
    peer: ['--add-host', 'docker:10.180.0.1', '--add-host', 'foo:10.0.0.1', '--cgroup-parent', 'foo', '--file', './test/Dockerfile', ...IID, '--attest', DEF_PROV, '--shm-size', '2g', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=3', ...META, '.'],
  },
  {
    n: 15,
    inputs: { context: '{{defaultContext}}:docker' },
    peer: [...IID, '--attest', DEF_PROV, ...META, `${GIT}:docker`],
  },
  {
    n: 16,
    inputs: { 'github-token': 'abcdefghijklmno0123456789', context: '{{defaultContext}}:subdir' },
    peer: [...IID, '--attest', DEF_PROV, '--secret', `id=GIT_AUTH_TOKEN.github.com,src=${TMP}`, ...META, `${GIT}:subdir`],
  },
  {
    n: 17,
    inputs: { context: '.', provenance: 'true' },
    peer: [...IID, '--attest', `type=provenance,builder-id=${BID}`, ...META, '.'],
  },
  { n: 18, inputs: { context: '.' }, peer: [...IID, '--attest', DEF_PROV, ...META, '.'] },
  {
    n: 19,
    inputs: { context: '.', provenance: 'true' },
    peer: [...IID, '--attest', `type=provenance,builder-id=${BID}`, ...META, '.'],
  },
  {
    n: 20,
    inputs: { context: '.', provenance: 'mode=max' },
    peer: [...IID, '--attest', `type=provenance,mode=max,builder-id=${BID}`, ...META, '.'],
  },
  {
    n: 21,
    inputs: { context: '.', provenance: 'false' },
    peer: [...IID, '--attest', 'type=provenance,disabled=true', ...META, '.'],
  },
  {
    n: 22,
    inputs: { context: '.', provenance: 'builder-id=foo' },
    peer: [...IID, '--attest', 'type=provenance,builder-id=foo', ...META, '.'],
  },
  {
    n: 23,
    inputs: { context: '.', outputs: 'type=docker' },
    peer: [...IID, '--output', 'type=docker', ...META, '.'],
  },
  { n: 24, inputs: { context: '.', load: 'true' }, peer: [...IID, '--load', ...META, '.'] },
  {
    n: 25,
    inputs: { context: '.', 'build-args': 'FOO=bar#baz', load: 'true' },
    peer: ['--build-arg', 'FOO=bar#baz', ...IID, '--load', ...META, '.'],
  },
  {
    n: 26,
    inputs: { context: '.', load: 'true', 'secret-envs': 'MY_SECRET=MY_SECRET_ENV\nANOTHER_SECRET=ANOTHER_SECRET_ENV' },
    peer: ['--secret', 'id=MY_SECRET,env=MY_SECRET_ENV', '--secret', 'id=ANOTHER_SECRET,env=ANOTHER_SECRET_ENV', ...IID, '--load', ...META, '.'],
  },
  {
    n: 27,
    inputs: { context: '.', load: 'true', 'secret-envs': 'MY_SECRET=MY_SECRET_ENV,ANOTHER_SECRET=ANOTHER_SECRET_ENV' },
    peer: ['--secret', 'id=MY_SECRET,env=MY_SECRET_ENV', '--secret', 'id=ANOTHER_SECRET,env=ANOTHER_SECRET_ENV', ...IID, '--load', ...META, '.'],
  },
  // 28 is the peer's case for buildx 0.11 (annotations ignored there); at 0.37 it is case 29.
  ...[28, 29].map((n) => ({
    n,
    inputs: {
      context: '.',
      annotations: 'example1=www\nindex:example2=xxx\nmanifest:example3=yyy\nmanifest-descriptor[linux/amd64]:example4=zzz',
      outputs: 'type=local,dest=./release-out',
    },
    peer: ['--annotation', 'example1=www', '--annotation', 'index:example2=xxx', '--annotation', 'manifest:example3=yyy', '--annotation', 'manifest-descriptor[linux/amd64]:example4=zzz', '--output', 'type=local,dest=./release-out', '--attest', DEF_PROV, ...META, '.'],
  })),
  {
    n: 30,
    inputs: {
      context: '.',
      outputs: 'type=image,"name=localhost:5000/name/app:latest,localhost:5000/name/app:foo",push-by-digest=true,name-canonical=true,push=true',
    },
    peer: [...IID, '--output', 'type=image,"name=localhost:5000/name/app:latest,localhost:5000/name/app:foo",push-by-digest=true,name-canonical=true,push=true', '--attest', DEF_PROV, ...META, '.'],
  },
  {
    n: 31,
    inputs: { context: '.', provenance: 'mode=max', sbom: 'true' },
    peer: [...IID, '--attest', `type=provenance,mode=max,builder-id=${BID}`, '--attest', 'type=sbom,disabled=false', ...META, '.'],
  },
  {
    n: 32,
    inputs: { context: '.', attests: 'type=provenance,mode=min', provenance: 'mode=max' },
    peer: [...IID, '--attest', `type=provenance,mode=max,builder-id=${BID}`, ...META, '.'],
  },
  {
    n: 33,
    inputs: { context: '.', attests: 'type=provenance,mode=min' },
    peer: [...IID, '--attest', `type=provenance,mode=min,builder-id=${BID}`, ...META, '.'],
  },
  {
    n: 34,
    inputs: { context: '.' },
    env: { BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
    peer: [...IID, ...META, '.'],
  },
  {
    n: 35,
    inputs: { 'github-token': 'abcdefghijklmno0123456789', context: '{{defaultContext}}' },
    env: { GITHUB_SERVER_URL: 'http://10.0.0.5:22827' },
    peer: [...IID, '--attest', 'type=provenance,mode=min,inline-only=true,builder-id=http://10.0.0.5:22827/docker/build-push-action/actions/runs/123456789/attempts/1', '--secret', `id=GIT_AUTH_TOKEN.10.0.0.5:22827,src=${TMP}`, ...META, 'http://10.0.0.5:22827/docker/build-push-action.git#refs/heads/master'],
  },
  {
    n: 36,
    inputs: { 'github-token': 'abcdefghijklmno0123456789', context: '{{defaultContext}}' },
    env: { GITHUB_SERVER_URL: 'https://github.cds.internal.unity3d.com' },
    peer: [...IID, '--attest', 'type=provenance,mode=min,inline-only=true,builder-id=https://github.cds.internal.unity3d.com/docker/build-push-action/actions/runs/123456789/attempts/1', '--secret', `id=GIT_AUTH_TOKEN.github.cds.internal.unity3d.com,src=${TMP}`, ...META, 'https://github.cds.internal.unity3d.com/docker/build-push-action.git#refs/heads/master'],
  },
  // 38 is the peer's case for buildx 0.28 (below the query form's 0.29); at 0.37 it is case 37.
  ...[37, 38].map((n) => ({
    n,
    inputs: {},
    env: { BUILDX_SEND_GIT_QUERY_AS_INPUT: 'true' },
    peer: [...IID, '--attest', DEF_PROV, ...META, 'https://github.com/docker/build-push-action.git?ref=refs/heads/master'],
  })),
];

let checkout: string;
let empty: string;
let fixtures: string;

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-peer-bpa-'));
  // A workspace with a checkout (cases with `context: .`) and one without (the Git default).
  checkout = path.join(root, 'checkout');
  empty = path.join(root, 'empty');
  fixtures = path.join(root, 'fixtures');
  fs.mkdirSync(path.join(checkout, 'test'), { recursive: true });
  fs.mkdirSync(empty);
  fs.mkdirSync(fixtures);
  fs.writeFileSync(path.join(checkout, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(checkout, 'test', 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(fixtures, 'secret.txt'), 'foo\n');
});

/** Flag name -> its values (sorted), context last; Gantry-only flags and work paths neutral. */
function normalize(argv: string[], workDir?: string): Record<string, string[]> {
  const flags: Record<string, string[]> = {};
  const add = (flag: string, value: string) => (flags[flag] ??= []).push(value);
  let i = 0;
  while (i < argv.length) {
    const token = argv[i];
    if (GANTRY_ALWAYS.includes(token)) {
      i++;
    } else if (token.startsWith('--') && token.includes('=')) {
      add(token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1));
      i++;
    } else if (BOOLEAN_FLAGS.includes(token)) {
      add(token, '');
      i++;
    } else if (token.startsWith('--')) {
      let value = argv[i + 1];
      if (token === '--iidfile') value = '<iidfile>';
      if (token === '--metadata-file') value = '<metadata>';
      if (token === '--secret' && workDir)
        value = value.replace(/src=(\/[^,]*)/, (m, p: string) =>
          p.startsWith(workDir) ? `src=${TMP}` : m,
        );
      add(token, value);
      i += 2;
    } else {
      add('<context>', token);
      i++;
    }
  }
  for (const values of Object.values(flags)) values.sort();
  return flags;
}

function gantryArgv(inputs: Record<string, string>, env: Record<string, string> = {}): string[] {
  const values = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, v.replace('<fixtures>', fixtures)]),
  );
  const hasLocalContext = values.context === '.';
  const facts = buildFacts({
    workspace: hasLocalContext ? checkout : empty,
    repository: { owner: 'docker', repo: 'build-push-action' },
    ref: 'refs/heads/master',
    sha: '',
    runId: 123456789,
    runAttempt: 1,
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    payload: { repository: { private: true } },
  });
  const parsed = parseBuildInputs(mapInputs(values), facts, { RUNNER_TEMP: '/runner/tmp', ...env });
  const naming = resolveNaming(parsed, {});
  const cache = cachePlanFor(
    parsed,
    naming,
    {
      workspace: facts.workspace,
      ref: facts.ref,
      headRef: '',
      defaultBranch: undefined,
      ghaAvailable: false,
    },
    { supported: true },
  );
  return buildxArgs(buildPlan(parsed, naming, cache, buildxSecrets(parsed), '/work/dir'));
}

function peerArgv(testCase: PeerCase): string[] {
  return testCase.peer.map((value) => value.replace('<fixtures>', fixtures));
}

describe("docker/build-push-action's argument table at buildx 0.37", () => {
  it.each(CASES.filter((c) => !c.differs?.refused).map((c) => [c.n, c] as const))(
    'case %i: the same buildx argv',
    (_n, testCase) => {
      const argv = gantryArgv(testCase.inputs, testCase.env);
      expect(argv.slice(0, 2)).toEqual(['buildx', 'build']);
      const expected = normalize([...peerArgv(testCase), ...(testCase.differs?.add ?? [])]);
      expect(normalize(argv.slice(2), '/work/dir')).toEqual(expected);
    },
  );

  it.each(CASES.filter((c) => c.differs?.refused).map((c) => [c.n, c] as const))(
    'case %i: deliberately refused before anything builds',
    (_n, testCase) => {
      expect(() => gantryArgv(testCase.inputs, testCase.env)).toThrow(testCase.differs!.refused!);
    },
  );

  it.each(CASES.filter((c) => c.differs?.alsoWith).map((c) => [c.n, c] as const))(
    'case %i with `tags`: the peer argv plus the tag and the cache plan',
    (_n, testCase) => {
      const { inputs, add } = testCase.differs!.alsoWith!;
      const argv = gantryArgv({ ...testCase.inputs, ...inputs });
      expect(normalize(argv.slice(2), '/work/dir')).toEqual(
        normalize([...peerArgv(testCase), ...add]),
      );
    },
  );

  it('covers every case of the peer table (0-38) once', () => {
    expect(CASES.map((c) => c.n)).toEqual([...Array(39).keys()]);
  });

  it('never puts the github-token or a secret value on the command line', () => {
    for (const testCase of CASES.filter((c) => !c.differs?.refused)) {
      const argv = gantryArgv(testCase.inputs, testCase.env).join(' ');
      expect(argv).not.toContain('abcdefghijklmno');
    }
  });
});

// The peer's getInputs tests.
describe("docker/build-push-action's input tests", () => {
  it('uses the Git context when `context` is not given (and there is no checkout)', () => {
    const argv = gantryArgv({});
    expect(argv[argv.length - 1]).toBe(GIT);
  });

  it('renders {{defaultContext}} from the Git context', () => {
    const argv = gantryArgv({ context: '{{defaultContext}}:subdir' });
    expect(argv[argv.length - 1]).toBe(`${GIT}:subdir`);
  });

  it('keeps a quoted secret untrimmed (a private key keeps its final newlines)', () => {
    const parsed = parseBuildInputs(
      mapInputs({ context: '.', secrets: '"PRIVATE_SSH_KEY=test\n\n"' }),
      buildFacts({ workspace: checkout }),
      {},
    );
    expect(parsed.secrets).toEqual([{ id: 'PRIVATE_SSH_KEY', kind: 'value', value: 'test\n\n' }]);
  });
});
