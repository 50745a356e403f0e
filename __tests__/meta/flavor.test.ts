// The flavor input: latest=auto|true|false, prefix/suffix on every tag, onlatest.
import { parseFlavor } from '../../src/stages/meta/flavor';
import { tagsFor, type EventFixtureName } from './fixtures';

const SEMVER = 'type=semver,pattern={{version}}\ntype=ref,event=branch\ntype=ref,event=pr';

describe('latest', () => {
  it.each<[string, EventFixtureName, string, string[]]>([
    ['auto on a release tag', 'push-tag', 'latest=auto', ['1.2.3', 'latest']],
    ['auto on a pre-release', 'push-tag-prerelease', 'latest=auto', ['2.0.0-rc.1']],
    ['auto on a branch', 'push-branch-main', 'latest=auto', ['main']],
    ['auto on a pull request', 'pull_request', '', ['pr-7']],
    ['true on a branch', 'push-branch-main', 'latest=true', ['main', 'latest']],
    ['true on a pull request', 'pull_request', 'latest=true', ['pr-7', 'latest']],
    ['false on a release tag', 'push-tag', 'latest=false', ['1.2.3']],
    // An explicit latest=true means always, as in docker/metadata-action, pre-releases included.
    ['true on a pre-release', 'push-tag-prerelease', 'latest=true', ['2.0.0-rc.1', 'latest']],
  ])('%s', (_name, event, flavor, expected) => {
    expect(tagsFor(event, { inputs: { images: '', tags: SEMVER, flavor } })).toEqual(expected);
  });

  it('no tag, no latest, even with latest=true', () => {
    expect(
      tagsFor('push-branch-main', {
        inputs: { images: '', tags: 'type=semver,pattern={{version}}', flavor: 'latest=true' },
      }),
    ).toEqual([]);
  });
});

describe('prefix and suffix', () => {
  it.each<[string, string, string, string[]]>([
    ['prefix', 'prefix=app-', SEMVER, ['app-1.2.3', 'latest']],
    ['suffix', 'suffix=-alpine', SEMVER, ['1.2.3-alpine', 'latest']],
    ['prefix onlatest', 'prefix=app-,onlatest=true', SEMVER, ['app-1.2.3', 'app-latest']],
    ['suffix onlatest', 'suffix=-alpine,onlatest=true', SEMVER, ['1.2.3-alpine', 'latest-alpine']],
    [
      'both, on separate lines',
      'prefix=app-,onlatest=true\nsuffix=-alpine',
      SEMVER,
      ['app-1.2.3-alpine', 'app-latest'],
    ],
    ['templated prefix', "prefix={{date 'YYYY'}}-", SEMVER, ['2025-1.2.3', 'latest']],
    // A tag's own prefix/suffix (even empty) replaces the flavor's.
    [
      'tag prefix wins',
      'prefix=app-',
      'type=semver,pattern={{version}},prefix=\ntype=ref,event=tag',
      ['1.2.3', 'app-v1.2.3', 'latest'],
    ],
    // type=sha carries its own sha- prefix, so the flavor's does not apply.
    ['sha keeps sha-', 'prefix=app-', 'type=sha', ['sha-860c190']],
  ])('%s', (_name, flavor, tags, expected) => {
    expect(tagsFor('push-tag', { inputs: { images: '', tags, flavor } })).toEqual(expected);
  });
});

describe('parseFlavor', () => {
  it('defaults', () => {
    expect(parseFlavor([])).toEqual({
      latest: 'auto',
      prefix: '',
      prefixLatest: false,
      suffix: '',
      suffixLatest: false,
    });
  });

  it('reads every key', () => {
    expect(parseFlavor(['latest=false', 'prefix=p-,onlatest=true', 'suffix=-s'])).toEqual({
      latest: 'false',
      prefix: 'p-',
      prefixLatest: true,
      suffix: '-s',
      suffixLatest: false,
    });
  });
});
