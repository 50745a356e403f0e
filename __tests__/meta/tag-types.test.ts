// Every tag type and attribute of the docker/metadata-action DSL, on real event payloads.
import { tagsFor, type EventFixtureName } from './fixtures';

type Row = [string, EventFixtureName, string, string[]];

const names = (event: EventFixtureName, tags: string, extra: Record<string, string> = {}) =>
  tagsFor(event, { inputs: { images: '', tags, ...extra } });

describe('tag types', () => {
  it.each<Row>([
    // schedule: `nightly` unless a pattern says otherwise; only on schedule events.
    ['schedule default', 'schedule', 'type=schedule', ['nightly']],
    ['schedule pattern', 'schedule', "type=schedule,pattern={{date 'YYYYMMDD'}}", ['20251120']],
    ['schedule on push', 'push-branch-main', 'type=schedule', []],
    // semver: from the git tag, or from value=.
    ['semver version', 'push-tag', 'type=semver,pattern={{version}}', ['1.2.3', 'latest']],
    [
      'semver major.minor',
      'push-tag',
      'type=semver,pattern={{major}}.{{minor}}',
      ['1.2', 'latest'],
    ],
    ['semver major', 'push-tag', 'type=semver,pattern={{major}}', ['1', 'latest']],
    ['semver patch', 'push-tag', 'type=semver,pattern=p{{patch}}', ['p3', 'latest']],
    ['semver raw', 'push-tag', 'type=semver,pattern={{raw}}', ['v1.2.3', 'latest']],
    ['semver on a branch', 'push-branch-main', 'type=semver,pattern={{version}}', []],
    [
      'semver value on a branch',
      'push-branch-main',
      'type=semver,pattern={{major}}.{{minor}},value=v3.4.5',
      ['3.4', 'latest'],
    ],
    [
      'semver pre-release: full version only',
      'push-tag-prerelease',
      'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}',
      ['2.0.0-rc.1'],
    ],
    [
      'semver pre-release keeps {{raw}}',
      'push-tag-prerelease',
      'type=semver,pattern={{raw}}',
      ['v2.0.0-rc.1'],
    ],
    // match= on semver/pep440: the version is the first group of the tag (or value=).
    [
      'semver match= on a prefixed value',
      'push-branch-main',
      'type=semver,pattern={{major}}.{{minor}},value=app/v3.4.5,"match=v(\\d+\\.\\d+\\.\\d+)$"',
      ['3.4', 'latest'],
    ],
    [
      'semver match= on the git tag',
      'push-tag',
      'type=semver,pattern={{version}},match=^v(.*)$',
      ['1.2.3', 'latest'],
    ],
    [
      'semver match= that misses falls back to the whole value',
      'push-tag',
      'type=semver,pattern={{version}},match=^release-(.*)$',
      ['1.2.3', 'latest'],
    ],
    [
      'pep440 match=',
      'push-branch-main',
      'type=pep440,pattern={{version}},value=py-1.0rc1,match=py-(.+)',
      ['1.0rc1'],
    ],
    // pep440
    ['pep440 version', 'push-tag', 'type=pep440,pattern={{version}}', ['1.2.3', 'latest']],
    [
      'pep440 major.minor',
      'push-branch-main',
      'type=pep440,pattern={{major}}.{{minor}},value=1.2.3',
      ['1.2', 'latest'],
    ],
    [
      'pep440 pre-release',
      'push-branch-main',
      'type=pep440,pattern={{major}}.{{minor}},value=1.2.3rc1',
      ['1.2.3rc1'],
    ],
    [
      'pep440 dev release',
      'push-branch-main',
      'type=pep440,pattern={{major}},value=2.0.0.dev4',
      ['2.0.0.dev4'],
    ],
    // match: a regex on the tag (or value=), group 0 by default.
    ['match group 0', 'push-tag', 'type=match,pattern=\\d+.\\d+', ['1.2', 'latest']],
    ['match group 1', 'push-tag', 'type=match,pattern=v(\\d+),group=1', ['1', 'latest']],
    ['match /regex/flags', 'push-tag', 'type=match,pattern=/V(\\d+)/i,group=1', ['1', 'latest']],
    [
      'match quoted pattern with a comma',
      'push-tag',
      'type=match,"pattern=v(\\d{1,3}).\\d{1,3}",group=1',
      ['1', 'latest'],
    ],
    [
      'match value',
      'push-branch-main',
      'type=match,pattern=app-(.*),group=1,value=app-1.0',
      ['1.0', 'latest'],
    ],
    ['match no match', 'push-tag', 'type=match,pattern=^release-', []],
    ['match on a branch', 'push-branch-main', 'type=match,pattern=.*', []],
    // edge: the default branch (or branch=) becomes `edge`.
    ['edge on default branch', 'push-branch-main', 'type=edge', ['edge']],
    ['edge elsewhere', 'push-branch-feature', 'type=edge', []],
    ['edge branch=', 'push-branch-feature', 'type=edge,branch=feature/login-page', ['edge']],
    // ref
    ['ref branch', 'push-branch-feature', 'type=ref,event=branch', ['feature-login-page']],
    ['ref branch on a tag', 'push-tag', 'type=ref,event=branch', []],
    ['ref tag', 'push-tag', 'type=ref,event=tag', ['v1.2.3', 'latest']],
    ['ref tag on release', 'release', 'type=ref,event=tag', ['v1.2.3', 'latest']],
    ['ref pr', 'pull_request', 'type=ref,event=pr', ['pr-7']],
    ['ref pr prefix=', 'pull_request', 'type=ref,event=pr,prefix=', ['7']],
    ['ref pr on pull_request_target', 'pull_request_target', 'type=ref,event=pr', ['pr-7']],
    ['ref pr on push', 'push-branch-main', 'type=ref,event=pr', []],
    // raw: always, bare words are raw values.
    ['raw', 'push-branch-feature', 'type=raw,value=stable', ['stable']],
    ['bare word', 'push-branch-feature', 'stable', ['stable']],
    [
      'raw with a template',
      'push-branch-main',
      'type=raw,value={{branch}}-{{sha}}',
      ['main-860c190'],
    ],
    // sha
    ['sha short', 'push-branch-main', 'type=sha', ['sha-860c190']],
    [
      'sha long',
      'push-branch-main',
      'type=sha,format=long',
      ['sha-860c1904a1ce19322e91ac35af1ab07466440c37'],
    ],
    ['sha prefix=', 'push-branch-main', 'type=sha,prefix=,suffix=-amd64', ['860c190-amd64']],
    ['sha on a PR is the merge commit', 'pull_request', 'type=sha', ['sha-fe7c1d2']],
  ])('%s', (_name, event, tags, expected) => {
    expect(names(event, tags)).toEqual(expected);
  });
});

describe('attributes', () => {
  it('prefix and suffix wrap the value, templates included', () => {
    expect(
      names('push-tag', 'type=semver,pattern={{version}},prefix={{branch}}v,suffix=-{{sha}}'),
    ).toEqual(['v1.2.3-860c190', 'latest']);
  });

  it.each([
    ['enable=false', 'type=raw,value=a,enable=false\ntype=raw,value=b', ['b']],
    [
      'enable from {{is_default_branch}}',
      'type=raw,value=latest,enable={{is_default_branch}}\ntype=raw,value=x',
      ['latest', 'x'],
    ],
  ])('%s', (_name, tags, expected) => {
    expect(names('push-branch-main', tags as string)).toEqual(expected);
  });

  it('{{is_default_branch}} is false off the default branch', () => {
    expect(
      names(
        'push-branch-feature',
        'type=raw,value=latest,enable={{is_default_branch}}\ntype=ref,event=branch',
      ),
    ).toEqual(['feature-login-page']);
  });

  it('orders tags by priority (highest first), then as written', () => {
    const tags = [
      'type=sha',
      'type=raw,value=first-raw',
      'type=raw,value=second-raw',
      'type=ref,event=branch',
      'type=raw,value=top,priority=2000',
    ].join('\n');
    expect(names('push-branch-main', tags)).toEqual([
      'top',
      'main',
      'first-raw',
      'second-raw',
      'sha-860c190',
    ]);
  });

  it('removes duplicate tags, keeping the first', () => {
    expect(
      names(
        'push-tag',
        'type=semver,pattern={{version}}\ntype=raw,value=1.2.3\ntype=match,pattern=\\d.\\d.\\d\ntype=raw,value=latest',
      ),
    ).toEqual(['1.2.3', 'latest']);
  });

  it('the highest-priority tag decides about latest', () => {
    // raw (priority 200) comes after semver (900): semver on a tag says latest.
    expect(names('push-tag', 'type=raw,value=x\ntype=semver,pattern={{version}}')).toEqual([
      '1.2.3',
      'x',
      'latest',
    ]);
    expect(
      names('push-tag', 'type=raw,value=x,priority=1000\ntype=semver,pattern={{version}}'),
    ).toEqual(['x', '1.2.3']);
  });
});

describe('sanitising', () => {
  it.each([
    [
      'slashes in branch names',
      'push-branch-feature',
      'type=ref,event=branch',
      ['feature-login-page'],
    ],
    ['characters a tag cannot hold', 'push-branch-main', 'type=raw,value=a b@c%d', ['a-b-c-d']],
    ['a leading dot or dash', 'push-branch-main', 'type=raw,value=.-hidden', ['hidden']],
    ['nothing left', 'push-branch-main', 'type=raw,value=///\ntype=raw,value=ok', ['ok']],
  ])('%s', (_name, event, tags, expected) => {
    expect(names(event as EventFixtureName, tags as string)).toEqual(expected);
  });

  it('cuts tags at 128 characters', () => {
    const [tag] = names('push-branch-main', `type=raw,value=${'a'.repeat(200)}`);
    expect(tag).toHaveLength(128);
  });

  it('lower-cases image names', () => {
    expect(tagsFor('push-branch-main', { inputs: { images: 'GHCR.io/Acme/App' } })).toEqual([
      'ghcr.io/acme/app:main',
    ]);
  });
});
