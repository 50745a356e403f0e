// The ordered attempts of a build and which failure each answers: buildx; buildx again with
// inline cache when the builder cannot export cache; `docker build` when buildx is missing.
import {
  buildAttempts,
  nextAttempt,
  secretFilePaths,
  type Diagnosis,
} from '../../src/stages/build/plan';
import { buildInputs } from './helpers';

const NAMING = { tags: ['127.0.0.1:5000/acme/app:1'], labels: [], annotations: [] };
const FACTS = {
  workspace: '/w',
  ref: 'refs/heads/main',
  headRef: '',
  defaultBranch: 'main',
  ghaAvailable: false,
};
const DOCKER_DRIVER =
  'the builder "default" uses the docker driver, which only writes inline cache';

const DEFAULT_PROVENANCE = 'type=provenance,mode=min,inline-only=true,builder-id=https://x';

function attemptsFor(cache: 'auto' | 'registry' | 'none', defaultAttestation?: string) {
  return buildAttempts(buildInputs({ push: true, cache, defaultAttestation }), NAMING, FACTS);
}

function previous(attempts: ReturnType<typeof attemptsFor>, withDefaultAttestation = true) {
  return { cache: attempts[0].cache(undefined), withDefaultAttestation };
}

describe('buildAttempts', () => {
  // The builder asked up front (buildx inspect during prepare) shapes the first attempt.
  it.each<
    [
      string,
      { driver: string } | undefined,
      Partial<Parameters<typeof buildInputs>[0]>,
      string,
      boolean,
      boolean,
    ]
  >([
    ['not asked', undefined, {}, 'registry', false, true],
    ['docker-container', { driver: 'docker-container' }, {}, 'registry', true, true],
    [
      'docker driver: inline, no default provenance',
      { driver: 'docker' },
      {},
      'inline',
      false,
      false,
    ],
    [
      'docker-container, Git context: exported by the build itself',
      { driver: 'docker-container' },
      { context: 'https://github.com/acme/app.git#main' },
      'registry',
      false,
      true,
    ],
    [
      'docker-container, a named Git context',
      { driver: 'docker-container' },
      { buildContexts: ['lib=https://github.com/acme/lib.git'] },
      'registry',
      false,
      true,
    ],
  ])('first attempt, builder %s', (_what, builder, inputs, kind, exportAfter, attest) => {
    const [first] = buildAttempts(
      buildInputs({ push: true, cache: 'auto', defaultAttestation: DEFAULT_PROVENANCE, ...inputs }),
      NAMING,
      { ...FACTS, builder: builder && { name: 'b', ...builder } },
    );
    expect(first.cache(undefined)).toMatchObject({ kind, exportAfter });
    expect(first.withDefaultAttestation(undefined)).toBe(attest);
  });

  it('starts with buildx and the planned cache', () => {
    const [first] = attemptsFor('auto');
    expect(first.kind).toBe('buildx');
    expect(first.cache(undefined).to).toEqual([
      'type=registry,ref=127.0.0.1:5000/acme/app:buildcache,mode=max,ignore-error=true,compression=zstd,compression-level=1,image-manifest=true,oci-mediatypes=true',
    ]);
  });

  it.each<[string, 'auto' | 'none', Diagnosis, number | undefined]>([
    ['buildx missing: docker build', 'auto', { buildx: false, cliVersion: '20.10.24' }, 2],
    [
      'a docker-driver builder and cache export planned: inline cache',
      'auto',
      {
        buildx: true,
        exportSupport: { supported: false, why: DOCKER_DRIVER },
        attestations: false,
      },
      1,
    ],
    [
      'a docker-driver builder, nothing exported: no retry',
      'none',
      {
        buildx: true,
        exportSupport: { supported: false, why: DOCKER_DRIVER },
        attestations: false,
      },
      undefined,
    ],
    [
      'buildx works (a real build error): no retry',
      'auto',
      { buildx: true, exportSupport: { supported: true }, attestations: true },
      undefined,
    ],
  ])('after the first failure with %s', (_what, cache, diagnosis, expected) => {
    const attempts = attemptsFor(cache);
    expect(nextAttempt(attempts, 0, diagnosis, previous(attempts))).toBe(expected);
  });

  it('on a docker-driver builder, builds again without the default provenance (it refuses them)', () => {
    const attempts = attemptsFor('none', DEFAULT_PROVENANCE);
    const diagnosis: Diagnosis = {
      buildx: true,
      exportSupport: { supported: false, why: DOCKER_DRIVER },
      attestations: false,
    };
    expect(nextAttempt(attempts, 0, diagnosis, previous(attempts))).toBe(1);
    expect(attempts[1].withDefaultAttestation(diagnosis)).toBe(false);
    expect(
      nextAttempt(attempts, 1, diagnosis, {
        cache: attempts[1].cache(diagnosis),
        withDefaultAttestation: false,
      }),
    ).toBeUndefined();
  });

  it('keeps the default provenance on a builder that takes attestations', () => {
    const attempts = attemptsFor('auto', DEFAULT_PROVENANCE);
    expect(attempts[0].withDefaultAttestation(undefined)).toBe(true);
    expect(
      attempts[1].withDefaultAttestation({
        buildx: true,
        exportSupport: { supported: true },
        attestations: true,
      }),
    ).toBe(true);
  });

  it('retries with inline cache for auto, and only once', () => {
    const attempts = attemptsFor('auto');
    const diagnosis: Diagnosis = {
      buildx: true,
      exportSupport: { supported: false, why: DOCKER_DRIVER },
      attestations: false,
    };
    const inline = attempts[1].cache(diagnosis);
    expect(inline.to).toEqual(['type=inline']);
    expect(
      nextAttempt(attempts, 1, diagnosis, { cache: inline, withDefaultAttestation: true }),
    ).toBeUndefined();
  });

  it('refuses an explicit cache kind the builder cannot export, naming the input', () => {
    const attempts = attemptsFor('registry');
    const diagnosis: Diagnosis = {
      buildx: true,
      exportSupport: { supported: false, why: DOCKER_DRIVER },
      attestations: false,
    };
    expect(() => attempts[1].cache(diagnosis)).toThrow(
      /Input "cache": cache: registry needs a builder that exports cache/,
    );
  });

  it('builds without buildx with inline cache', () => {
    expect(attemptsFor('auto')[2].cache({ buildx: false, cliVersion: '20.10' }).kind).toBe(
      'inline',
    );
  });
});

describe('secretFilePaths', () => {
  it('plans one file per value secret in the work directory', () => {
    expect(
      secretFilePaths('/tmp/w', [
        { id: 'a', kind: 'value', value: 'x' },
        { id: 'b', kind: 'env', variable: 'B' },
        { id: 'c', kind: 'value', value: 'y' },
      ]),
    ).toEqual({ a: '/tmp/w/secret-0', c: '/tmp/w/secret-2' });
  });
});
