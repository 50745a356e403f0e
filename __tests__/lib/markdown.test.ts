import { inert, link, table } from '../../src/lib/markdown';

// What GitHub would turn into something other than the same text.
const ACTIVE: [string, RegExp][] = [
  ['an HTML tag', /<[a-z!/]/i],
  ['an unescaped link or image opener', /(^|[^\\])\[/],
  ['an unescaped parenthesis', /(^|[^\\])[()]/],
  ['a mention', /@[A-Za-z0-9]/],
  ['a bare URL', /\b(https?|ftp|javascript):\/\//i],
  ['a www. autolink', /\bwww\.[a-z]/i],
  ['an issue reference (not an entity)', /(^|[^\\&])#\d/],
  ['a raw pipe', /\|/],
  ['emphasis', /(^|[^\\])[*_~]/],
  ['a code span', /(^|[^\\])`/],
  ['a line break', /[\r\n]/],
];

describe('inert', () => {
  it.each([
    ['<img src=x onerror=alert(1)>'],
    ['<details open><summary>x</summary>'],
    ['<!-- the rest of the comment is hidden'],
    ['[click me](https://evil.example/login)'],
    ['![tracker](https://evil.example/pixel.png)'],
    ['x](https://evil.example) [y'],
    ['@acme/security please look'],
    ['cc @octocat'],
    ['see https://evil.example/a and www.evil.example'],
    ['javascript://%0aalert(1)'],
    ['fixes #123 and acme/app#7'],
    ['| a | b |\n| --- | --- |'],
    ['**bold** _it_ ~~gone~~ `code`'],
    ['line one\r\nline two'],
    ['$\\href{https://evil.example}{x}$'],
    ['AWS_ACCESS_KEY_ID=******************** <img src=https://evil.example/x.png> @team'],
  ])('makes %j plain text', (hostile) => {
    const out = inert(hostile);
    for (const [what, pattern] of ACTIVE) {
      expect({ what, out, active: pattern.test(out) }).toEqual({ what, out, active: false });
    }
  });

  it.each([
    ['libssl3', 'libssl3'],
    ['1.0.0-2 → 1.0.0-3', '1.0.0-2 → 1.0.0-3'],
    ['app/settings.env:2', 'app/settings.env:2'],
    ['a & b', 'a &amp; b'],
    ['CVE-2024-0001', 'CVE-2024-0001'],
  ])('leaves ordinary text %j readable as %j', (text, out) => {
    expect(inert(text)).toBe(out);
  });
});

describe('link', () => {
  it.each<[string, string | undefined, string]>([
    ['CVE-1', 'https://avd.aquasec.com/nvd/cve-1', '[CVE-1](https://avd.aquasec.com/nvd/cve-1)'],
    [
      'CVE-1',
      'https://evil.example/a)[x](https://b',
      '[CVE-1](https://evil.example/a%29%5Bx%5D%28https://b)',
    ],
    ['CVE-1', 'javascript:alert(1)', 'CVE-1'],
    ['CVE-1', 'not a url', 'CVE-1'],
    ['CVE-1', undefined, 'CVE-1'],
    [
      '[x](https://evil.example)',
      'https://ok.example/',
      '[\\[x\\]\\(https:\u200b//evil.example\\)](https://ok.example/)',
    ],
  ])('%j -> %j', (text, url, out) => {
    expect(link(text, url)).toBe(out);
  });
});

describe('table', () => {
  it('keeps inert text in its cell', () => {
    expect(table(['A', 'B'], [[inert('x | y'), 'z']])).toBe(
      '| A | B |\n| --- | --- |\n| x &#124; y | z |',
    );
  });
});
