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

function attemptsFor(cache: 'auto' | 'registry' | 'none') {
  return buildAttempts(buildInputs({ push: true, cache }), NAMING, FACTS);
}

describe('buildAttempts', () => {
  it('starts with buildx and the planned cache', () => {
    const [first] = attemptsFor('auto');
    expect(first.kind).toBe('buildx');
    expect(first.cache(undefined).to).toEqual([
      'type=registry,ref=127.0.0.1:5000/acme/app:buildcache,mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true',
    ]);
  });

  it.each<[string, 'auto' | 'none', Diagnosis, number | undefined]>([
    ['buildx missing: docker build', 'auto', { buildx: false, cliVersion: '20.10.24' }, 2],
    [
      'a docker-driver builder and cache export planned: inline cache',
      'auto',
      { buildx: true, exportSupport: { supported: false, why: DOCKER_DRIVER } },
      1,
    ],
    [
      'a docker-driver builder, nothing exported: no retry',
      'none',
      { buildx: true, exportSupport: { supported: false, why: DOCKER_DRIVER } },
      undefined,
    ],
    [
      'buildx works (a real build error): no retry',
      'auto',
      { buildx: true, exportSupport: { supported: true } },
      undefined,
    ],
  ])('after the first failure with %s', (_what, cache, diagnosis, expected) => {
    const attempts = attemptsFor(cache);
    expect(nextAttempt(attempts, 0, diagnosis, attempts[0].cache(undefined))).toBe(expected);
  });

  it('retries with inline cache for auto, and only once', () => {
    const attempts = attemptsFor('auto');
    const diagnosis: Diagnosis = {
      buildx: true,
      exportSupport: { supported: false, why: DOCKER_DRIVER },
    };
    const inline = attempts[1].cache(diagnosis);
    expect(inline.to).toEqual(['type=inline']);
    expect(nextAttempt(attempts, 1, diagnosis, inline)).toBeUndefined();
  });

  it('refuses an explicit cache kind the builder cannot export, naming the input', () => {
    const attempts = attemptsFor('registry');
    const diagnosis: Diagnosis = {
      buildx: true,
      exportSupport: { supported: false, why: DOCKER_DRIVER },
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
