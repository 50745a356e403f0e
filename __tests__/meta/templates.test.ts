// Global template expressions in tag values, prefixes and labels.
import {
  formatDate,
  GLOBAL_NAMES,
  renderHandlebars,
  renderPattern,
  templateProblem,
  unquotedDateFormats,
  usesCommitDate,
} from '../../src/stages/meta/templates';
import { metaFor, parseFor, tagsFor, type EventFixtureName } from './fixtures';

const raw = (event: EventFixtureName, value: string, extra: Record<string, string> = {}) =>
  tagsFor(event, { inputs: { images: '', tags: `type=raw,"value=${value}"` }, ...extra });

describe('template expressions', () => {
  it.each<[string, EventFixtureName, string, string]>([
    ['{{branch}}', 'push-branch-feature', '{{branch}}', 'feature-login-page'],
    ['{{branch}} on a tag is empty', 'push-tag', 'b{{branch}}', 'b'],
    ['{{branch}} on a PR is empty', 'pull_request', 'b{{branch}}', 'b'],
    ['{{tag}}', 'push-tag', '{{tag}}', 'v1.2.3'],
    ['{{tag}} on a branch is empty', 'push-branch-main', 't{{tag}}', 't'],
    ['{{sha}}', 'push-branch-main', '{{sha}}', '860c190'],
    ['{{base_ref}} on a tag', 'push-tag', '{{base_ref}}', 'main'],
    ['{{base_ref}} on a PR', 'pull_request', 'into-{{base_ref}}', 'into-main'],
    ['{{base_ref}} on a branch', 'push-branch-main', 'b{{base_ref}}', 'b'],
    ['{{is_default_branch}} on main', 'push-branch-main', '{{is_default_branch}}', 'true'],
    ['{{is_default_branch}} on a feature', 'push-branch-feature', '{{is_default_branch}}', 'false'],
    ['{{is_default_branch}} on a tag', 'push-tag', '{{is_default_branch}}', 'false'],
    ['{{is_default_branch}} on schedule', 'schedule', '{{is_default_branch}}', 'true'],
    ['{{is_not_default_branch}} on main', 'push-branch-main', '{{is_not_default_branch}}', 'false'],
    [
      '{{is_not_default_branch}} on a feature',
      'push-branch-feature',
      '{{is_not_default_branch}}',
      'true',
    ],
    ['{{is_not_default_branch}} on a PR', 'pull_request', '{{is_not_default_branch}}', 'true'],
    // moment's tokens that dayjs alone lacks: day of year, ISO and locale weekday.
    [
      '{{date}} DDD DDDD E e',
      'push-branch-main',
      "{{date 'YYYY.DDD.DDDD.E.e'}}",
      '2025.324.324.4.4',
    ],
    // Unquoted, the format is a missing value: moment's ISO default (the peer does the same).
    ['{{date}} unquoted', 'push-branch-main', '{{date YYYYMMDD}}', '2025-11-20T09-20-00Z'],
    ['{{date}}', 'push-branch-main', "{{date 'YYYYMMDD-HHmmss'}}", '20251120-092000'],
    [
      '{{date}} with tz',
      'push-branch-main',
      "{{date 'YYYYMMDD-HHmm' tz='Asia/Tokyo'}}",
      '20251120-1820',
    ],
    ['{{date}} moment tokens', 'push-branch-main', "{{date 'YY.Q.Do-ddd'}}", '25.4.20th-Thu'],
    ['{{date}} escaped text', 'push-branch-main', "{{date '[build]YYYY'}}", 'build2025'],
    // Push events carry the commit's date: no API call needed.
    [
      '{{commit_date}}',
      'push-branch-main',
      "{{commit_date 'YYYY-MM-DDTHH.mm'}}",
      '2026-11-20T08.30',
    ],
    [
      '{{commit_date}} with tz',
      'push-branch-feature',
      "{{commit_date 'YYYYMMDDHHmm' tz='America/New_York'}}",
      '202611191605',
    ],
  ])('%s', (_name, event, value, expected) => {
    expect(raw(event, value)).toEqual([expected]);
  });

  it('{{commit_date}} falls back to the commit API when the event has no commit', () => {
    const apiCommitDate = new Date('2026-01-02T03:04:05Z');
    expect(
      tagsFor('release', {
        inputs: { images: '', tags: "type=raw,value={{commit_date 'YYYYMMDD'}}" },
        apiCommitDate,
      }),
    ).toEqual(['20260102']);
  });

  it('SOURCE_DATE_EPOCH is now for {{date}}', () => {
    expect(
      tagsFor('push-branch-main', {
        inputs: { images: '', tags: "type=raw,value={{date 'YYYYMMDD'}}" },
        env: { SOURCE_DATE_EPOCH: '0' },
      }),
    ).toEqual(['19700101']);
  });

  it('{{sha}} follows DOCKER_METADATA_SHORT_SHA_LENGTH', () => {
    expect(
      tagsFor('push-branch-main', {
        inputs: { images: '', tags: 'type=raw,value={{sha}}\ntype=sha' },
        env: { DOCKER_METADATA_SHORT_SHA_LENGTH: '12' },
      }),
    ).toEqual(['860c1904a1ce', 'sha-860c1904a1ce']);
  });

  it('templates work in labels too', () => {
    const { result } = metaFor('push-branch-main', {
      inputs: { labels: "build.branch={{branch}}\nbuild.date={{date 'YYYY'}}" },
    });
    expect(result.labels).toEqual(expect.arrayContaining(['build.branch=main', 'build.date=2025']));
  });
});

describe('templateProblem', () => {
  it.each([
    ['plain text', 'nightly', undefined],
    ['known names', '{{branch}}-{{sha}}', undefined],
    ['date with tz', "{{date 'YYYY' tz='Europe/Paris'}}", undefined],
    ['unknown name', '{{brnach}}', 'unknown template expression {{brnach}}'],
    ['unclosed', '{{branch', 'invalid template'],
    ['date without format', '{{date}}', 'takes one quoted format'],
    ['date with an unquoted format', '{{date YYYYMMDD}}', undefined],
    ['date with a number for format', '{{date 20200110}}', 'takes one quoted format'],
    ['is_not_default_branch', 'x-{{is_not_default_branch}}', undefined],
    ['date unknown attribute', "{{date 'YYYY' zone='UTC'}}", 'no attribute "zone"'],
    ['date unknown zone', "{{date 'YYYY' tz='Mars/Olympus'}}", 'unknown time zone "Mars/Olympus"'],
    ['arguments to a value', "{{branch 'x'}}", 'takes no arguments'],
    ['blocks', '{{#if branch}}x{{/if}}', 'unsupported template expression'],
  ])('%s', (_name, template, problem) => {
    const found = templateProblem(template, GLOBAL_NAMES);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('unquoted date formats', () => {
  it('are a warning that says what renders and how to quote', () => {
    expect(unquotedDateFormats("{{date 'YYYY'}}-{{commit_date YYYY-MM-DD tz='UTC'}}")).toEqual([
      "{{commit_date YYYY-MM-DD}} renders the ISO date; to format it, quote the format: {{commit_date 'YYYY-MM-DD'}}",
    ]);
    expect(unquotedDateFormats('{{branch}}')).toEqual([]);
  });

  it('reach the stage as input warnings', () => {
    const { inputs } = parseFor('push-tag', {
      inputs: { tags: 'type=raw,value={{date YYYYMMDD}}' },
    });
    expect(inputs.warnings).toEqual([
      expect.stringContaining("quote the format: {{date 'YYYYMMDD'}}"),
    ]);
  });
});

describe('formatDate', () => {
  it('formats in UTC by default', () => {
    expect(formatDate(new Date('2026-03-04T23:30:00Z'), 'YYYY-MM-DD HH:mm')).toBe(
      '2026-03-04 23:30',
    );
  });
  it('formats in a zone', () => {
    expect(formatDate(new Date('2026-03-04T23:30:00Z'), 'YYYY-MM-DD HH:mm Z', 'Europe/Paris')).toBe(
      '2026-03-05 00:30 +01:00',
    );
  });
});

describe('bare {{name}} templates', () => {
  const parts = { raw: 'v1.2.3', version: '1.2.3', major: 1, minor: 0, patch: 3, stable: true };

  it.each([
    '{{version}}',
    'v{{ major }}.{{minor}}-x',
    '{{missing}}a',
    'a{b}c{{raw}}',
    '}}{{patch}}{',
    '{{stable}}',
    '{{{version}}}',
    '{{!-- note --}}{{version}}',
  ])('%s renders as Handlebars renders it', (template) => {
    expect(renderPattern(template, parts)).toBe(renderHandlebars(template, parts));
  });

  it('usesCommitDate spots {{commit_date}} only', () => {
    expect(usesCommitDate("{{commit_date 'YYYY'}}")).toBe(true);
    expect(usesCommitDate("{{ commit_date 'YYYY' tz='UTC'}}")).toBe(true);
    expect(usesCommitDate("{{date 'YYYY'}}")).toBe(false);
  });
});
