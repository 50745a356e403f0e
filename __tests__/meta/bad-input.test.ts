// Bad input fails while inputs are parsed (before anything runs), naming the input and quoting
// the offending line.
import { InputError } from '../../src/lib/errors';
import { metaFor, parseFor } from './fixtures';

function parseError(inputs: Record<string, string>, env: Record<string, string> = {}): InputError {
  try {
    parseFor('push-tag', { inputs, env });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('bad input', () => {
  it.each<[string, Record<string, string>, string, string]>([
    // tags
    [
      'unknown tag type',
      { tags: 'type=semver,pattern={{version}}\ntype=foo' },
      'tags',
      'unknown tag type "foo" (use schedule, semver, pep440, match, edge, ref, raw, sha) in "type=foo"',
    ],
    [
      'unknown attribute',
      { tags: 'type=ref,event=tag,pattren=x' },
      'tags',
      'unknown attribute "pattren" for type=ref',
    ],
    [
      'attribute of another type',
      { tags: 'type=sha,event=branch' },
      'tags',
      'unknown attribute "event" for type=sha (it takes type, enable, priority, prefix, suffix, format) in "type=sha,event=branch"',
    ],
    [
      'invalid regex in match',
      { tags: 'type=match,pattern=v(\\d+' },
      'tags',
      'pattern is not a valid regular expression',
    ],
    [
      'invalid /regex/ in match',
      { tags: 'type=match,pattern=/[a-/' },
      'tags',
      'in "type=match,pattern=/[a-/"',
    ],
    [
      'match without pattern',
      { tags: 'type=match,group=1' },
      'tags',
      'type=match needs a pattern= attribute',
    ],
    [
      'bad match group',
      { tags: 'type=match,pattern=v(\\d),group=one' },
      'tags',
      'group must be a capture group number',
    ],
    [
      'semver without pattern',
      { tags: 'type=semver' },
      'tags',
      'type=semver needs a pattern= attribute in "type=semver"',
    ],
    [
      'pep440 without pattern',
      { tags: 'type=pep440,value=1.0' },
      'tags',
      'type=pep440 needs a pattern=',
    ],
    [
      'semver pattern with an unknown name',
      { tags: 'type=semver,pattern={{branch}}' },
      'tags',
      'unknown template expression {{branch}}',
    ],
    ['ref without event', { tags: 'type=ref' }, 'tags', 'type=ref needs a event= attribute'],
    [
      'ref with a bad event',
      { tags: 'type=ref,event=commit' },
      'tags',
      'event must be one of branch, tag, pr, not "commit"',
    ],
    ['raw without value', { tags: 'type=raw' }, 'tags', 'type=raw needs a value='],
    [
      'sha with a bad format',
      { tags: 'type=sha,format=medium' },
      'tags',
      'format must be short or long',
    ],
    [
      'enable not a boolean',
      { tags: 'type=sha,enable=yes' },
      'tags',
      'enable must be true or false, not "yes"',
    ],
    [
      'priority not a number',
      { tags: 'type=sha,priority=high' },
      'tags',
      'priority must be a number',
    ],
    ['broken template', { tags: 'type=raw,value={{branch' }, 'tags', 'invalid template'],
    [
      'unknown template name',
      { tags: 'type=raw,value={{brnach}}' },
      'tags',
      'unknown template expression {{brnach}}',
    ],
    [
      'bad time zone',
      { tags: "type=raw,value={{date 'YYYY' tz='Nowhere/City'}}" },
      'tags',
      'unknown time zone',
    ],
    // flavor
    ['flavor without =', { flavor: 'latest' }, 'flavor', '"latest" is not a key=value entry'],
    [
      'flavor latest value',
      { flavor: 'latest=always' },
      'flavor',
      'latest must be auto, true or false, not "always" in "latest=always"',
    ],
    ['unknown flavor', { flavor: 'prefix=a-\nsuffx=-b' }, 'flavor', 'unknown flavor "suffx"'],
    [
      'onlatest value',
      { flavor: 'prefix=a-,onlatest=yes' },
      'flavor',
      'onlatest must be true or false',
    ],
    [
      'onlatest alone',
      { flavor: 'onlatest=true' },
      'flavor',
      'onlatest must follow prefix= or suffix=',
    ],
    // images
    [
      'unknown image attribute',
      { images: 'name=ghcr.io/acme/app,tag=1' },
      'images',
      'unknown attribute "tag" in "name=ghcr.io/acme/app,tag=1"',
    ],
    [
      'image enable value',
      { images: 'name=ghcr.io/acme/app,enable=maybe' },
      'images',
      'enable must be true or false',
    ],
    ['image without name', { images: 'enable=true' }, 'images', 'no image name in "enable=true"'],
    // k8s-deploy's `images` (references to pin) pasted where metadata-action's names go.
    [
      'image with a tag',
      { images: 'ghcr.io/acme/app:1.0' },
      'images',
      '"ghcr.io/acme/app:1.0" carries a tag; with the meta stage running, images lists image names to tag',
    ],
    [
      'image with a digest',
      { images: `ghcr.io/acme/app@sha256:${'a'.repeat(64)}` },
      'images',
      'carries a digest',
    ],
    ['image with a tag names deploy-images', { images: 'app:1.2' }, 'images', 'use deploy-images'],
    [
      'image name with a tag in a name= line',
      { images: 'name=127.0.0.1:5000/app:v1' },
      'images',
      'carries a tag',
    ],
    [
      'trailing # is not a comment',
      { images: 'ghcr.io/acme/app # main' },
      'images',
      'is not an image name',
    ],
    ['image with spaces', { images: 'ghcr.io/acme/my app' }, 'images', 'is not an image name'],
    // labels, annotations, other inputs
    [
      'label without =',
      { labels: 'org.opencontainers.image.vendor' },
      'labels',
      '"org.opencontainers.image.vendor" is not a key=value entry',
    ],
    ['annotation without key', { annotations: '=x' }, 'annotations', 'is not a key=value entry'],
    ['ref-source', { 'ref-source': 'svn' }, 'ref-source', '"svn" is not one of workflow, git'],
    [
      'context (metadata-action) and ref-source disagree',
      { context: 'git', 'ref-source': 'workflow' },
      'ref-source',
      'says workflow but context says git',
    ],
    [
      'semver match= without a capture group',
      { tags: 'type=semver,pattern={{version}},match=v\\d' },
      'tags',
      'match needs a capture group',
    ],
    [
      'pep440 match= that is not a regular expression',
      { tags: 'type=pep440,pattern={{version}},match=v(' },
      'tags',
      'match is not a valid regular expression',
    ],
    ['pr-head-sha', { 'pr-head-sha': 'yes' }, 'pr-head-sha', 'is not a boolean'],
  ])('%s', (_name, inputs, input, message) => {
    const err = parseError(inputs);
    expect(err.input).toBe(input);
    expect(err.message).toContain(`Input "${input}"`);
    expect(err.message).toContain(message);
  });

  it.each([
    ['SOURCE_DATE_EPOCH', { SOURCE_DATE_EPOCH: 'yesterday' }],
    ['DOCKER_METADATA_SHORT_SHA_LENGTH', { DOCKER_METADATA_SHORT_SHA_LENGTH: 'x' }],
    [
      'DOCKER_METADATA_ANNOTATIONS_LEVELS',
      { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'manifest,layer' },
    ],
    ['DOCKER_METADATA_SET_OUTPUT_ENV', { DOCKER_METADATA_SET_OUTPUT_ENV: 'maybe' }],
    ['DOCKER_METADATA_PR_HEAD_SHA', { DOCKER_METADATA_PR_HEAD_SHA: 'head' }],
  ])('bad %s', (name, env) => {
    expect(parseError({}, env).input).toBe(name);
  });

  it('an enable template that renders neither true nor false fails at run time, naming tags', () => {
    // {{branch}} is only known once the ref is resolved.
    expect(() =>
      metaFor('push-branch-main', { inputs: { tags: 'type=sha,enable={{branch}}' } }),
    ).toThrow(
      'Input "tags": enable= rendered "main", not true or false, in "type=sha,enable={{branch}}"',
    );
  });
});
