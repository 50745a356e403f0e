import { cacheBranches, planCache, slug, type CacheRequest } from '../../src/stages/build/cache';
import type { CachePlan } from '../../src/stages/build/model';

function request(overrides: Partial<CacheRequest> = {}): CacheRequest {
  return {
    cache: 'auto',
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    noCacheFilters: [],
    push: false,
    load: false,
    outputs: [],
    imageName: 'ghcr.io/acme/app',
    firstTag: 'ghcr.io/acme/app:1.2.3',
    target: '',
    branch: 'main',
    defaultBranch: 'main',
    cacheDir: '/runner/tmp/gantry-cache',
    ghaAvailable: false,
    exportSupport: { supported: true },
    builderKnown: false,
    localContext: true,
    ...overrides,
  };
}

const plans: [string, Partial<CacheRequest>, Omit<CachePlan, 'reasons' | 'exportAfter'>][] = [
  [
    'auto with the GitHub cache service -> gha, one scope per image and branch',
    { ghaAvailable: true },
    {
      kind: 'gha',
      imageOutputs: [],
      from: ['type=gha,scope=acme-app-main'],
      to: [
        'type=gha,scope=acme-app-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'gha on a feature branch reads the default branch as a fallback',
    { ghaAvailable: true, branch: 'feature/login' },
    {
      kind: 'gha',
      imageOutputs: [],
      from: ['type=gha,scope=acme-app-feature-login', 'type=gha,scope=acme-app-main'],
      to: [
        'type=gha,scope=acme-app-feature-login,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'a target is part of the scope',
    { cache: 'gha', target: 'test' },
    {
      kind: 'gha',
      imageOutputs: [],
      from: ['type=gha,scope=acme-app-test-main'],
      to: [
        'type=gha,scope=acme-app-test-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'auto without the cache service, pushing -> registry :buildcache, zstd, the pushed image pinned to gzip',
    { push: true },
    {
      kind: 'registry',
      imageOutputs: ['type=image,compression=gzip,force-compression=true'],
      from: ['type=registry,ref=ghcr.io/acme/app:buildcache'],
      to: [
        'type=registry,ref=ghcr.io/acme/app:buildcache,mode=max,ignore-error=true,compression=zstd,compression-level=1,image-manifest=true,oci-mediatypes=true',
      ],
    },
  ],
  [
    'pushing and loading: both image exporters pinned to gzip',
    { cache: 'gha', push: true, load: true },
    {
      kind: 'gha',
      imageOutputs: [
        'type=image,compression=gzip,force-compression=true',
        'type=docker,compression=gzip,force-compression=true',
      ],
      from: ['type=gha,scope=acme-app-main'],
      to: [
        'type=gha,scope=acme-app-main,mode=max,ignore-error=true,compression=zstd,compression-level=1',
      ],
    },
  ],
  [
    "the user's outputs are not touched: the cache stays gzip",
    { cache: 'registry', push: true, outputs: ['type=image,name=r/x,push=true'] },
    {
      kind: 'registry',
      imageOutputs: [],
      from: ['type=registry,ref=ghcr.io/acme/app:buildcache'],
      to: [
        'type=registry,ref=ghcr.io/acme/app:buildcache,mode=max,ignore-error=true,compression=gzip,compression-level=1,image-manifest=true,oci-mediatypes=true',
      ],
    },
  ],
  [
    'an explicit cache-to pins nothing',
    {
      cache: 'registry',
      push: true,
      cacheTo: ['type=registry,ref=r/x:c,compression=zstd,compression-level=1'],
    },
    {
      kind: 'registry',
      imageOutputs: [],
      from: ['type=registry,ref=ghcr.io/acme/app:buildcache'],
      to: ['type=registry,ref=r/x:c,compression=zstd,compression-level=1'],
    },
  ],
  [
    'registry on a pull request branch falls back to :buildcache',
    { cache: 'registry', branch: 'fix-1' },
    {
      kind: 'registry',
      imageOutputs: [],
      from: [
        'type=registry,ref=ghcr.io/acme/app:buildcache-fix-1',
        'type=registry,ref=ghcr.io/acme/app:buildcache',
      ],
      to: [
        'type=registry,ref=ghcr.io/acme/app:buildcache-fix-1,mode=max,ignore-error=true,compression=gzip,compression-level=1,image-manifest=true,oci-mediatypes=true',
      ],
    },
  ],
  [
    'auto without the cache service, not pushing -> none',
    {},
    { kind: 'none', from: [], to: [], imageOutputs: [] },
  ],
  [
    'local: one directory per scope under local-cache-dir',
    { cache: 'local', branch: 'dev' },
    {
      kind: 'local',
      imageOutputs: [],
      from: [
        'type=local,src=/runner/tmp/gantry-cache/acme-app-dev',
        'type=local,src=/runner/tmp/gantry-cache/acme-app-main',
      ],
      to: [
        'type=local,dest=/runner/tmp/gantry-cache/acme-app-dev,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'local without an image name scopes by "build"',
    { cache: 'local', imageName: undefined, firstTag: undefined },
    {
      kind: 'local',
      imageOutputs: [],
      from: ['type=local,src=/runner/tmp/gantry-cache/build-main'],
      to: [
        'type=local,dest=/runner/tmp/gantry-cache/build-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'inline reads the first tag and writes into the image',
    { cache: 'inline' },
    {
      kind: 'inline',
      from: ['type=registry,ref=ghcr.io/acme/app:1.2.3'],
      to: ['type=inline'],
      imageOutputs: [],
    },
  ],
  [
    'explicit cache-from and cache-to win',
    { ghaAvailable: true, cacheFrom: ['type=local,src=/c'], cacheTo: ['type=local,dest=/c'] },
    { kind: 'gha', from: ['type=local,src=/c'], to: ['type=local,dest=/c'], imageOutputs: [] },
  ],
  [
    'explicit cache-to alone keeps the planned sources',
    { cache: 'gha', cacheTo: ['type=registry,ref=r/x:c'] },
    {
      kind: 'gha',
      from: ['type=gha,scope=acme-app-main'],
      to: ['type=registry,ref=r/x:c'],
      imageOutputs: [],
    },
  ],
  [
    'no-cache reads nothing but still writes',
    { cache: 'gha', noCache: true },
    {
      kind: 'gha',
      imageOutputs: [],
      from: [],
      to: [
        'type=gha,scope=acme-app-main,mode=max,ignore-error=true,compression=gzip,compression-level=1',
      ],
    },
  ],
  [
    'auto on a docker-driver builder falls back to inline',
    { ghaAvailable: true, exportSupport: { supported: false, why: 'docker driver' } },
    {
      kind: 'inline',
      from: ['type=registry,ref=ghcr.io/acme/app:1.2.3'],
      to: ['type=inline'],
      imageOutputs: [],
    },
  ],
];

describe('planCache', () => {
  it.each(plans)('%s', (_name, overrides, expected) => {
    const { reasons, ...plan } = planCache(request(overrides));
    expect(plan).toEqual({ ...expected, exportAfter: false });
    expect(reasons.length).toBeGreaterThan(0);
  });

  // The export leaves the image's critical path only where a cache-only build afterwards is
  // certain to hit every step and to write the same cache the build would have.
  it.each<[string, Partial<CacheRequest>, boolean]>([
    ['pushing, registry cache, builder known to export', { push: true, builderKnown: true }, true],
    ['loading, local cache', { cache: 'local', load: true, builderKnown: true }, true],
    ['pushing, gha', { ghaAvailable: true, push: true, builderKnown: true }, true],
    ['the builder not asked (it did not answer)', { push: true }, false],
    [
      'a Git or URL context (it could move on before a second build)',
      { push: true, builderKnown: true, localContext: false },
      false,
    ],
    [
      'a docker-driver builder (inline cache in the image)',
      {
        push: true,
        builderKnown: true,
        exportSupport: { supported: false, why: 'docker driver' },
      },
      false,
    ],
    [
      'no-cache: the second build would rebuild',
      { push: true, builderKnown: true, noCache: true },
      false,
    ],
    [
      'no-cache-filters: the second build would rebuild those stages',
      { push: true, builderKnown: true, noCacheFilters: ['builder'] },
      false,
    ],
    [
      "the user's cache-to is exported as given, by the build",
      { push: true, builderKnown: true, cacheTo: ['type=registry,ref=r/x:c'] },
      false,
    ],
    [
      "the user's outputs",
      { cache: 'registry', push: true, builderKnown: true, outputs: ['type=image,push=true'] },
      false,
    ],
    ['no image exported (neither push nor load)', { cache: 'gha', builderKnown: true }, false],
  ])('exports after the image: %s -> %s', (_name, overrides, expected) => {
    const plan = planCache(request(overrides));
    expect(plan.exportAfter).toBe(expected);
    if (expected) expect(plan.reasons.join('; ')).toMatch(/exported after the image is out/);
  });

  it('says why auto chose what it chose', () => {
    expect(planCache(request({ push: true })).reasons[0]).toMatch(/auto → registry/);
  });

  it.each<[string, Partial<CacheRequest>, RegExp]>([
    [
      'registry without an image name',
      { cache: 'registry', imageName: undefined },
      /no image name/,
    ],
    [
      'gha on a builder that cannot export',
      { cache: 'gha', exportSupport: { supported: false, why: 'buildx is not installed' } },
      /cache: gha needs a builder that exports cache, but buildx is not installed/,
    ],
    [
      'cache-to type=local on a builder that cannot export',
      {
        cacheTo: ['type=local,dest=/c'],
        exportSupport: { supported: false, why: 'docker driver' },
      },
      /Input "cache-to".*only type=inline works here/,
    ],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => planCache(request(overrides))).toThrow(message);
  });
});

describe('cacheBranches', () => {
  it.each([
    [{ ref: 'refs/heads/main', headRef: '', defaultBranch: 'main' }, 'main'],
    [{ ref: 'refs/heads/feature/x', headRef: '', defaultBranch: 'main' }, 'feature/x'],
    [{ ref: 'refs/pull/7/merge', headRef: 'fix-typo', defaultBranch: 'main' }, 'fix-typo'],
    [{ ref: 'refs/pull/7/merge', headRef: '', defaultBranch: 'main' }, 'pull-7'],
    [{ ref: 'refs/tags/v1.2.3', headRef: '', defaultBranch: 'main' }, 'main'],
    [{ ref: 'refs/tags/v1.2.3', headRef: '', defaultBranch: undefined }, 'v1.2.3'],
  ])('%j -> %s', (ctx, branch) => {
    expect(cacheBranches(ctx).branch).toBe(branch);
  });
});

describe('slug', () => {
  it.each([
    ['feature/Login', 'feature-login'],
    ['..weird__name..', 'weird__name..'],
    ['a'.repeat(80), 'a'.repeat(60)],
  ])('%s -> %s', (value, expected) => expect(slug(value)).toBe(expected));
});
