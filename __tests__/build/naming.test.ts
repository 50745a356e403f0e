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
  it("takes meta's tags, labels and annotations (the user's rendered in them) as they are", () => {
    const meta = {
      ...META,
      labels: [...META.labels.slice(0, 1), 'org.opencontainers.image.title=My App'],
    };
    const inputs = buildInputs({ labels: ['org.opencontainers.image.title=My App'] });
    expect(resolveNaming(inputs, { meta })).toEqual({
      tags: META.tags,
      labels: meta.labels,
      annotations: META.annotations,
    });
  });

  // Bug (issue 11): the raw `labels` input went back over meta's rendered labels, so
  // `team={{branch}}` was output as team=main by meta but the image got team={{branch}}.
  it("keeps meta's rendered label, not the raw template the input holds", () => {
    const meta = { ...META, labels: [...META.labels, 'team=main'] };
    const inputs = buildInputs({ labels: ['team={{branch}}'] });
    const { labels } = resolveNaming(inputs, { meta });
    expect(labels).toContain('team=main');
    expect(labels.filter((label) => label.startsWith('team='))).toEqual(['team=main']);
  });

  // Bug (issue 11): an unprefixed annotation reached buildx twice, as meta's
  // `manifest:k=v` and again as the raw `k=v` (which buildx also puts on the manifest).
  it('passes an unprefixed annotation once, as meta rendered it on its levels', () => {
    const meta = {
      ...META,
      annotations: [...META.annotations, 'manifest:team=main', 'index:team=main'],
    };
    const inputs = buildInputs({ annotations: ['team={{branch}}'] });
    const { annotations } = resolveNaming(inputs, { meta });
    expect(annotations.filter((a) => /(?:^|:)team=/.test(a))).toEqual([
      'manifest:team=main',
      'index:team=main',
    ]);
  });

  it('adds labels and annotations that meta did not render', () => {
    const inputs = buildInputs({
      labels: ['extra=1'],
      annotations: ['index:extra=2'],
    });
    const naming = resolveNaming(inputs, { meta: META });
    expect(naming.labels).toEqual([...META.labels, 'extra=1']);
    expect(naming.annotations).toEqual([...META.annotations, 'index:extra=2']);
  });

  it('without meta, passes labels and annotations as given (a later key wins)', () => {
    const inputs = buildInputs({ labels: ['a=1', 'a=2'], annotations: ['k=v'] });
    expect(resolveNaming(inputs, {})).toMatchObject({ labels: ['a=2'], annotations: ['k=v'] });
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
