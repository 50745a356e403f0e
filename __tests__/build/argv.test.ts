import {
  buildxArgs,
  dockerBuildArgs,
  plainCacheRef,
  secretArg,
  type BuildPlan,
} from '../../src/stages/build/argv';
import type { BuildInputs, CachePlan } from '../../src/stages/build/model';
import { buildInputs } from './helpers';

const NO_CACHE: CachePlan = {
  kind: 'none',
  from: [],
  to: [],
  imageOutputs: [],
  exportAfter: false,
  reasons: [],
};
const COMMON = ['--iidfile', '/w/iid', '--metadata-file', '/w/meta.json'];

function plan(inputs: Partial<BuildInputs>, extra: Partial<BuildPlan> = {}): BuildPlan {
  return {
    inputs: buildInputs(inputs),
    tags: [],
    labels: [],
    annotations: [],
    cache: NO_CACHE,
    secretValueFiles: {},
    metadataFile: '/w/meta.json',
    iidFile: '/w/iid',
    ...extra,
  };
}

describe('buildxArgs', () => {
  // prettier-ignore -- flag and value on one line read like the command
  it.each<[string, BuildPlan, string[]]>([
    ['the defaults', plan({}), ['buildx', 'build', '--progress=plain', ...COMMON, '--', '.']],
    [
      'push with tags, labels and annotations from meta',
      plan(
        { push: true, context: 'app', file: 'app/Dockerfile.prod' },
        {
          tags: ['127.0.0.1:5000/acme/app:1.2.3', '127.0.0.1:5000/acme/app:latest'],
          labels: ['org.opencontainers.image.version=1.2.3'],
          annotations: ['manifest:org.opencontainers.image.version=1.2.3'],
        },
      ),
      [
        'buildx',
        'build',
        '--progress=plain',
        '--annotation',
        'manifest:org.opencontainers.image.version=1.2.3',
        '--file',
        'app/Dockerfile.prod',
        '--iidfile',
        '/w/iid',
        '--label',
        'org.opencontainers.image.version=1.2.3',
        '--metadata-file',
        '/w/meta.json',
        '--push',
        '--tag',
        '127.0.0.1:5000/acme/app:1.2.3',
        '--tag',
        '127.0.0.1:5000/acme/app:latest',
        '--',
        'app',
      ],
    ],
    [
      'every flag',
      plan(
        {
          builder: 'ci',
          addHosts: ['db:10.0.0.2', 'cache:10.0.0.3'],
          allow: ['network.host', 'security.insecure'],
          buildArgs: ['GO_VERSION=1.22', 'EMPTY='],
          buildContexts: ['alpine=docker-image://alpine:3.20'],
          load: true,
          network: 'host',
          noCache: true,
          noCacheFilters: ['builder', 'test'],
          platforms: ['linux/amd64'],
          attestations: [
            'type=provenance,mode=max,builder-id=https://ci/run/1',
            'type=sbom,disabled=false',
          ],
          call: 'check,format=json',
          cgroupParent: 'ci.slice',
          pull: true,
          shmSize: '2g',
          ssh: ['default'],
          target: 'runtime',
          ulimit: ['nofile=1024:1024'],
        },
        {
          cache: {
            kind: 'gha',
            from: ['type=gha,scope=app-main'],
            to: [
              'type=gha,scope=app-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
            ],
            imageOutputs: [],
            exportAfter: false,
            reasons: [],
          },
        },
      ),
      [
        'buildx',
        'build',
        '--progress=plain',
        '--builder',
        'ci',
        '--add-host',
        'db:10.0.0.2',
        '--add-host',
        'cache:10.0.0.3',
        '--allow',
        'network.host,security.insecure',
        '--attest',
        'type=provenance,mode=max,builder-id=https://ci/run/1',
        '--attest',
        'type=sbom,disabled=false',
        '--build-arg',
        'GO_VERSION=1.22',
        '--build-arg',
        'EMPTY=',
        '--build-context',
        'alpine=docker-image://alpine:3.20',
        '--cache-from',
        'type=gha,scope=app-main',
        '--cache-to',
        'type=gha,scope=app-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
        '--call',
        'check,format=json',
        '--cgroup-parent',
        'ci.slice',
        '--iidfile',
        '/w/iid',
        '--load',
        '--metadata-file',
        '/w/meta.json',
        '--network',
        'host',
        '--no-cache',
        '--no-cache-filter',
        'builder',
        '--no-cache-filter',
        'test',
        '--platform',
        'linux/amd64',
        '--pull',
        '--shm-size',
        '2g',
        '--ssh',
        'default',
        '--target',
        'runtime',
        '--ulimit',
        'nofile=1024:1024',
        '--',
        '.',
      ],
    ],
    [
      'several platforms become one --platform',
      plan({ platforms: ['linux/amd64', 'linux/arm64'], push: true }, { tags: ['r/app:1'] }),
      [
        'buildx',
        'build',
        '--progress=plain',
        ...COMMON,
        '--platform',
        'linux/amd64,linux/arm64',
        '--push',
        '--tag',
        'r/app:1',
        '--',
        '.',
      ],
    ],
    [
      'a local exporter writes files: no --iidfile',
      plan({ outputs: ['type=local,dest=out'] }),
      [
        'buildx',
        'build',
        '--progress=plain',
        '--metadata-file',
        '/w/meta.json',
        '--output',
        'type=local,dest=out',
        '--',
        '.',
      ],
    ],
    [
      'secrets of all three kinds, values only as file paths',
      plan(
        {
          secrets: [
            { id: 'GIT_AUTH_TOKEN', kind: 'value', value: 'hunter2' },
            { id: 'npmrc', kind: 'file', path: '/home/me/.npmrc' },
            { id: 'aws', kind: 'env', variable: 'AWS_SECRET_ACCESS_KEY' },
          ],
        },
        { secretValueFiles: { GIT_AUTH_TOKEN: '/w/secret-0' } },
      ),
      [
        'buildx',
        'build',
        '--progress=plain',
        ...COMMON,
        '--secret',
        'id=GIT_AUTH_TOKEN,src=/w/secret-0',
        '--secret',
        'id=npmrc,src=/home/me/.npmrc',
        '--secret',
        'id=aws,env=AWS_SECRET_ACCESS_KEY',
        '--',
        '.',
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(buildxArgs(input)).toEqual(expected);
  });

  it('never puts a secret value on the command line', () => {
    const args = buildxArgs(
      plan(
        { secrets: [{ id: 'token', kind: 'value', value: 's3cr3t-value' }] },
        { secretValueFiles: { token: '/w/secret-0' } },
      ),
    );
    expect(args.join(' ')).not.toContain('s3cr3t-value');
  });
});

describe('buildxArgs with the cache export after the image', () => {
  const cache: CachePlan = {
    kind: 'registry',
    from: ['type=registry,ref=r/app:buildcache'],
    to: ['type=registry,ref=r/app:buildcache,mode=max'],
    imageOutputs: ['type=image,compression=gzip,force-compression=true'],
    exportAfter: true,
    reasons: [],
  };
  const later = plan(
    {
      push: true,
      buildArgs: ['V=1'],
      target: 'runtime',
      pull: true,
      secrets: [{ id: 'npm', kind: 'env', variable: 'NPM_TOKEN' }],
      attestations: ['type=provenance,mode=min'],
      defaultAttestation: 'type=provenance,mode=min',
    },
    { cache, tags: ['r/app:1'], labels: ['a=b'], annotations: ['index:c=d'] },
  );

  it('the image build reads the cache and writes none', () => {
    const args = buildxArgs(later);
    expect(args).toContain('--cache-from');
    expect(args).not.toContain('--cache-to');
    expect(args).toEqual(expect.arrayContaining(['--push', '--tag', 'r/app:1']));
  });

  it('the cache-only build keeps what shapes the steps and writes only the cache', () => {
    expect(buildxArgs(later, 'cache-export')).toEqual([
      'buildx',
      'build',
      '--progress=plain',
      '--build-arg',
      'V=1',
      '--cache-from',
      'type=registry,ref=r/app:buildcache',
      '--cache-to',
      'type=registry,ref=r/app:buildcache,mode=max',
      '--output',
      'type=cacheonly',
      '--provenance=false',
      '--pull',
      '--secret',
      'id=npm,env=NPM_TOKEN',
      '--target',
      'runtime',
      '--',
      '.',
    ]);
  });
});

describe('dockerBuildArgs (no buildx)', () => {
  const inline: CachePlan = {
    kind: 'inline',
    from: ['type=registry,ref=r/app:1'],
    to: ['type=inline'],
    imageOutputs: [],
    exportAfter: false,
    reasons: [],
  };
  // prettier-ignore -- flag and value on one line read like the command
  it.each<[string, BuildPlan, 'buildkit' | 'legacy', string[]]>([
    [
      'BuildKit in the CLI: inline cache, secrets as files',
      plan(
        {
          push: true,
          file: 'Dockerfile',
          target: 'runtime',
          buildArgs: ['A=1'],
          secrets: [{ id: 's', kind: 'value', value: 'v' }],
          platforms: ['linux/amd64'],
        },
        {
          tags: ['r/app:1'],
          labels: ['a=b'],
          cache: inline,
          secretValueFiles: { s: '/w/secret-0' },
        },
      ),
      'buildkit',
      [
        'build',
        '--progress=plain',
        '--build-arg',
        'A=1',
        '--build-arg',
        'BUILDKIT_INLINE_CACHE=1',
        '--cache-from',
        'r/app:1',
        '--file',
        'Dockerfile',
        '--iidfile',
        '/w/iid',
        '--label',
        'a=b',
        '--platform',
        'linux/amd64',
        '--secret',
        'id=s,src=/w/secret-0',
        '--tag',
        'r/app:1',
        '--target',
        'runtime',
        '--',
        '.',
      ],
    ],
    [
      'legacy builder: no progress flag, no inline-cache arg',
      plan({ noCache: true, pull: true }, { tags: ['r/app:1'], cache: inline }),
      'legacy',
      [
        'build',
        '--cache-from',
        'r/app:1',
        '--iidfile',
        '/w/iid',
        '--no-cache',
        '--pull',
        '--tag',
        'r/app:1',
        '--',
        '.',
      ],
    ],
  ])('%s', (_name, input, mode, expected) => {
    expect(dockerBuildArgs(input, mode)).toEqual(expected);
  });
});

describe('secretArg', () => {
  it.each([
    [{ id: 'a', kind: 'file' as const, path: '/x/y' }, 'id=a,src=/x/y'],
    [{ id: 'a', kind: 'file' as const, path: '/x,y/z' }, 'id=a,"src=/x,y/z"'],
    [{ id: 'a', kind: 'env' as const, variable: 'TOKEN' }, 'id=a,env=TOKEN'],
  ])('%j -> %s', (secret, expected) => {
    expect(secretArg(secret, {})).toBe(expected);
  });
});

describe('plainCacheRef', () => {
  it.each([
    ['type=registry,ref=r/app:buildcache', 'r/app:buildcache'],
    ['r/app:1', 'r/app:1'],
  ])('%s -> %s', (value, expected) => expect(plainCacheRef(value)).toBe(expected));
});
