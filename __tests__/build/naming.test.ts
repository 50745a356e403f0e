import { mergeByKey, resolveNaming } from '../../src/stages/build/naming';
import type { MetaResult } from '../../src/stages/meta/model';
import { buildInputs } from './helpers';

const META: MetaResult = {
  version: '1.2.3',
  images: ['127.0.0.1:5000/acme/app'],
  tags: ['127.0.0.1:5000/acme/app:1.2.3', '127.0.0.1:5000/acme/app:latest'],
  labels: ['org.opencontainers.image.version=1.2.3', 'org.opencontainers.image.title=app'],
  annotations: ['manifest:org.opencontainers.image.version=1.2.3'],
  tagNames: ['1.2.3', 'latest'],
  latest: true,
};

describe('resolveNaming', () => {
  it("takes meta's tags, labels and annotations, merging extra ones by key", () => {
    const inputs = buildInputs({
      tags: ['type=semver,pattern={{version}}'],
      labels: ['org.opencontainers.image.title=My App', 'team=platform'],
    });
    expect(resolveNaming(inputs, { meta: META })).toEqual({
      tags: META.tags,
      labels: [
        'org.opencontainers.image.version=1.2.3',
        'org.opencontainers.image.title=My App',
        'team=platform',
      ],
      annotations: META.annotations,
    });
  });

  it('without meta, reads tags as full image references', () => {
    const inputs = buildInputs({ tags: ['r.io/a/b:1', 'r.io/a/b:1', 'r.io/a/b:2'], push: true });
    expect(resolveNaming(inputs, {}).tags).toEqual(['r.io/a/b:1', 'r.io/a/b:2']);
  });

  it('without meta, rejects metadata-action rules in tags', () => {
    const inputs = buildInputs({ tags: ['type=ref', 'event=branch'] });
    expect(() => resolveNaming(inputs, {})).toThrow(/Input "tags": without the meta stage/);
  });

  it('rejects push when meta produced no tags', () => {
    const inputs = buildInputs({ push: true, metaImagesGiven: true });
    expect(() => resolveNaming(inputs, { meta: { ...META, tags: [] } })).toThrow(
      /Input "push": the meta stage produced no tags/,
    );
  });
});

describe('mergeByKey', () => {
  it.each([
    [
      [['a=1', 'b=2'], ['a=3']],
      ['b=2', 'a=3'],
    ],
    [[['x'], ['x']], ['x']],
    [[[], []], []],
  ])('%j -> %j', (lists, expected) => expect(mergeByKey(...lists)).toEqual(expected));
});
