// The meta stage on every recorded event: default tags, a typical semver setup, version output.
import { metaFor, tagsFor, type EventFixtureName } from './fixtures';

const IMAGE = 'ghcr.io/acme/app';
const SEMVER_SETUP = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
  'type=sha',
].join('\n');

describe('default tags (empty tags input)', () => {
  it.each<[EventFixtureName, string, string[]]>([
    ['push-branch-main', 'main', ['main']],
    ['push-branch-feature', 'feature-login-page', ['feature-login-page']],
    ['push-tag', 'v1.2.3', ['v1.2.3', 'latest']],
    ['push-tag-prerelease', 'v2.0.0-rc.1', ['v2.0.0-rc.1', 'latest']],
    ['pull_request', 'pr-7', ['pr-7']],
    ['pull_request_target', 'pr-7', ['pr-7']],
    ['schedule', 'nightly', ['nightly', 'main']],
    ['release', 'v1.2.3', ['v1.2.3', 'latest']],
    ['workflow_dispatch', 'main', ['main']],
  ])('%s -> version %s', (event, version, tags) => {
    const { result, warnings } = metaFor(event);
    expect(result.version).toBe(version);
    expect(result.tags).toEqual(tags.map((tag) => `${IMAGE}:${tag}`));
    expect(result.tagNames).toEqual(tags);
    expect(warnings).toEqual([]);
  });
});

describe('a typical semver setup', () => {
  it.each<[EventFixtureName, string[]]>([
    ['push-branch-main', ['main', 'sha-860c190']],
    ['push-branch-feature', ['feature-login-page', 'sha-3f1c7d9']],
    ['push-tag', ['1.2.3', '1.2', '1', 'sha-860c190', 'latest']],
    // Pre-releases: only the full version, no 2.0 / 2 and no latest.
    ['push-tag-prerelease', ['2.0.0-rc.1', 'sha-860c190']],
    ['pull_request', ['pr-7', 'sha-fe7c1d2']],
    ['pull_request_target', ['pr-7', 'sha-860c190']],
    ['schedule', ['nightly', 'main', 'sha-860c190']],
    ['release', ['1.2.3', '1.2', '1', 'sha-860c190', 'latest']],
    ['workflow_dispatch', ['main', 'sha-860c190']],
  ])('%s', (event, tags) => {
    expect(tagsFor(event, { inputs: { tags: SEMVER_SETUP } })).toEqual(
      tags.map((tag) => `${IMAGE}:${tag}`),
    );
  });
});

describe('images', () => {
  it('tags every enabled image, in the order given, image by image', () => {
    const tags = tagsFor('push-tag', {
      inputs: {
        images: 'ghcr.io/acme/app\nname=docker.io/Acme/App\nname=quay.io/acme/app,enable=false',
        tags: 'type=semver,pattern={{version}}',
      },
    });
    expect(tags).toEqual([
      'ghcr.io/acme/app:1.2.3',
      'ghcr.io/acme/app:latest',
      'docker.io/acme/app:1.2.3',
      'docker.io/acme/app:latest',
    ]);
  });

  it('accepts several names on one line (comma separated)', () => {
    const { result } = metaFor('push-branch-main', {
      inputs: { images: 'ghcr.io/acme/app,127.0.0.1:5000/acme/app' },
    });
    expect(result.images).toEqual(['ghcr.io/acme/app', '127.0.0.1:5000/acme/app']);
    expect(result.tags).toEqual(['ghcr.io/acme/app:main', '127.0.0.1:5000/acme/app:main']);
  });

  it('gives bare tags when no image is named', () => {
    const { result } = metaFor('push-tag', { inputs: { images: '' } });
    expect(result.images).toEqual([]);
    expect(result.tags).toEqual(['v1.2.3', 'latest']);
  });
});

describe('a ref that yields no tag', () => {
  it('is a warning and empty outputs, not an error', () => {
    const { result, warnings } = metaFor('push-branch-main', {
      inputs: { tags: 'type=semver,pattern={{version}}' },
    });
    expect(result.version).toBe('');
    expect(result.tags).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('No image tag was generated for refs/heads/main'),
    ]);
  });

  it('warns when a git tag is not semver', () => {
    const { warnings } = metaFor('push-tag', {
      inputs: { tags: 'type=semver,pattern={{version}},value=release-7' },
    });
    expect(warnings[0]).toContain('release-7 is not a valid semver version');
  });
});

describe('comments', () => {
  // docker/metadata-action's getInputs table: only whole lines starting with # are comments.
  it('# lines are ignored in images, tags and flavor', () => {
    const { result } = metaFor('push-tag', {
      inputs: {
        images: '# where to push\nghcr.io/acme/app',
        tags: '# release tags\ntype=semver,pattern={{version}}\ntype=sha',
        flavor: '# no latest\nlatest=false',
      },
    });
    expect(result.tags).toEqual(['ghcr.io/acme/app:1.2.3', 'ghcr.io/acme/app:sha-860c190']);
  });

  it('a # later in a line is text, as in docker/metadata-action', () => {
    const { result } = metaFor('push-tag', {
      inputs: {
        tags: 'type=raw,value=foo#bar',
        flavor: 'prefix=v#1,onlatest=false',
        labels: 'org.opencontainers.image.description=Fixes #12',
        annotations: 'org.opencontainers.image.url=https://example.com/path#readme',
      },
    });
    // `#` cannot be in a tag: it becomes `-`, like any other character a tag cannot hold.
    expect(result.tagNames).toEqual(['v-1foo-bar']);
    expect(result.labels).toContain('org.opencontainers.image.description=Fixes #12');
    expect(result.annotations).toContain(
      'manifest:org.opencontainers.image.url=https://example.com/path#readme',
    );
  });
});
