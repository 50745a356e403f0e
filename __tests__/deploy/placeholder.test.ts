import {
  matchesWithDigest,
  placeholderDigest,
  withDigest,
} from '../../src/stages/deploy/placeholder';
import type { KubeObject } from '../../src/stages/deploy/model';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const stand = `sha256:${'a'.repeat(64)}`;
const real = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** A Deployment pinned to `digest`, with the last-applied configuration kubectl would write. */
function deployment(digest: string, extra: Record<string, string> = {}): KubeObject {
  const container = { name: 'web', image: `registry.example/web@${digest}` };
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: extra },
    spec: { template: { spec: { containers: [container] } } },
  };
  return {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      annotations: { [LAST_APPLIED]: `${JSON.stringify(manifest)}\n` },
    },
  };
}

describe('placeholderDigest', () => {
  it('is a sha256 digest, new each time', () => {
    const one = placeholderDigest();
    expect(one).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(placeholderDigest()).not.toBe(one);
  });
});

describe('matchesWithDigest: the stand-in batch is the real one but for the digest', () => {
  const batch = (digest: string, extra?: Record<string, string>) =>
    JSON.stringify([deployment(digest, extra)]);

  it.each([
    ['the digest is the only difference', batch(real), stand, real, true],
    ['anything else differs too', batch(real, { tier: 'web' }), stand, real, false],
    ['the stand-in is not a sha256 digest', batch(real), 'latest', real, false],
    ['the real digest is not a sha256 digest', batch(real), stand, 'sha512:00', false],
  ])('%s', (_case, realBatch, placeholder, digest, expected) => {
    expect(matchesWithDigest(batch(stand), realBatch, placeholder, digest)).toBe(expected);
  });
});

describe('withDigest', () => {
  it('writes the real digest into the images and the last-applied configuration', () => {
    const [object] = withDigest([deployment(stand)], stand, real);
    expect(object).toEqual(deployment(real));
    const lastApplied = JSON.parse(object.metadata.annotations![LAST_APPLIED]);
    expect(lastApplied.spec.template.spec.containers[0].image).toBe(`registry.example/web@${real}`);
  });

  it('refuses what is not a pair of sha256 digests', () => {
    expect(() => withDigest([deployment(stand)], stand, 'latest')).toThrow(/not sha256 digests/);
  });
});
