import { fallbackBlocker, fallbackMode, fallbackWarning } from '../../src/stages/build/fallback';
import type { BuildInputs } from '../../src/stages/build/model';
import { buildInputs } from './helpers';

describe('fallbackMode', () => {
  it.each([
    ['20.10.24+dfsg1', 'buildkit'],
    ['19.03.15', 'buildkit'],
    ['23.0.0', 'legacy'],
    ['28.2.2', 'legacy'],
  ])('Docker CLI %s -> %s', (version, mode) => expect(fallbackMode(version)).toBe(mode));
});

describe('fallbackBlocker', () => {
  it.each<[string, Partial<BuildInputs>, string]>([
    ['several platforms', { platforms: ['linux/amd64', 'linux/arm64'] }, 'platforms'],
    ['provenance', { provenance: 'mode=max' }, 'provenance'],
    ['an SBOM', { sbom: 'true' }, 'sbom'],
    ['a cache export', { cacheTo: ['type=gha,mode=max'] }, 'cache-to'],
    ['cache: registry', { cache: 'registry' }, 'cache'],
    ['cache-from a local directory', { cacheFrom: ['type=local,src=/c'] }, 'cache-from'],
    ['outputs', { outputs: ['type=local,dest=out'] }, 'outputs'],
    ['build contexts', { buildContexts: ['a=docker-image://x'] }, 'build-contexts'],
    ['entitlements', { allow: ['network.host'] }, 'allow'],
    ['no-cache-filters', { noCacheFilters: ['builder'] }, 'no-cache-filters'],
  ])('%s needs buildx', (_name, inputs, input) => {
    const blocker = fallbackBlocker(buildInputs(inputs), 'buildkit', false);
    expect(blocker?.input).toBe(input);
    expect(blocker?.message).toMatch(/needs buildx, which is not installed here/);
  });

  it.each<[string, Partial<BuildInputs>]>([
    ['the defaults', {}],
    ['one platform', { platforms: ['linux/amd64'] }],
    ['provenance off', { provenance: 'false', sbom: 'false' }],
    ['inline cache', { cache: 'inline', cacheTo: ['type=inline'] }],
    ['cache-from an image', { cacheFrom: ['type=registry,ref=r/app:1', 'r/app:2'] }],
    ['secrets with BuildKit', { secrets: [{ id: 'a', kind: 'value', value: 'b' }] }],
  ])('%s is fine', (_name, inputs) => {
    expect(fallbackBlocker(buildInputs(inputs), 'buildkit', false)).toBeUndefined();
  });

  it('refuses explicit annotations', () => {
    expect(fallbackBlocker(buildInputs(), 'buildkit', true)?.input).toBe('annotations');
  });

  it.each<[Partial<BuildInputs>, string]>([
    [{ secrets: [{ id: 'a', kind: 'value', value: 'b' }] }, 'secrets'],
    [{ ssh: ['default'] }, 'ssh'],
  ])('the legacy builder cannot take %j', (inputs, input) => {
    const blocker = fallbackBlocker(buildInputs(inputs), 'legacy', false);
    expect(blocker?.input).toBe(input);
    expect(blocker?.message).toMatch(/can only use the legacy builder/);
  });
});

describe('fallbackWarning', () => {
  it('says what runs and what is lost', () => {
    expect(fallbackWarning('buildkit', '20.10.24')).toMatch(
      /DOCKER_BUILDKIT=1 docker build.*inline cache.*Lost until buildx is installed: cache export/,
    );
    expect(fallbackWarning('legacy', '28.2.2')).toMatch(/legacy builder.*secrets, SSH/);
  });
});
