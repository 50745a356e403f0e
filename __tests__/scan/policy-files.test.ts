import { ruleLine, suppressingRule } from '../../src/stages/scan/ignore-files';
import { choosePolicyContent } from '../../src/stages/scan/policy-files';

const request = { role: 'ignorefile' as const, input: 'trivyignores', path: '/ws/.trivyignore' };
const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';

describe('which version of a policy file applies', () => {
  it.each<
    [string, Parameters<typeof choosePolicyContent>[3], string | undefined, RegExp | undefined]
  >([
    ['outside pull requests: the checkout', undefined, 'CVE-PR\n', undefined],
    ['pull request, unchanged file', { sha: SHA, content: 'CVE-PR\n' }, 'CVE-PR\n', undefined],
    [
      'pull request adds the file: not applied',
      { sha: SHA, content: undefined },
      undefined,
      /\.trivyignore was not applied: this pull request adds it.*trust-pr-policy-files: true/,
    ],
    [
      "pull request edits the file: the base's version",
      { sha: SHA, content: 'CVE-OLD\n' },
      'CVE-OLD\n',
      /as of the base branch 860c190 applied; this pull request's changes to it did not/,
    ],
    [
      'base unreadable: not applied',
      { sha: SHA, error: 'no token' },
      undefined,
      /could not be read from the base branch 860c190 \(no token\)/,
    ],
  ])('%s', (_name, base, content, note) => {
    const file = choosePolicyContent(request, '.trivyignore', 'CVE-PR\n', base);
    expect(file.content).toBe(content);
    if (note) expect(file.note).toMatch(note);
    else expect(file.note).toBeUndefined();
  });
});

describe('the rule that set a finding aside', () => {
  it.each<[string, string, number | undefined]>([
    ['# why\nCVE-2024-0001\n', 'CVE-2024-0001', 2],
    ['CVE-2024-00011\nCVE-2024-0001 exp:2099-01-01\n', 'CVE-2024-0001', 2],
    ['# CVE-2024-0001 was here\n', 'CVE-2024-0001', undefined],
    ['vulnerabilities:\n  - id: CVE-2024-0001\n    statement: accepted\n', 'CVE-2024-0001', 2],
    ['secrets:\n  - id: "aws-access-key-id"\n', 'aws-access-key-id', 2],
  ])('%j names %s on line %s', (content, id, line) => {
    expect(ruleLine(content, id)).toBe(line);
  });

  it('finds the file among several, and names a rego policy by itself', () => {
    const files = [
      { name: 'a.trivyignore', role: 'ignorefile', content: 'CVE-1\n', given: '/w/ig' },
      {
        name: '.trivyignore (base branch 860c190)',
        role: 'ignorefile',
        content: '\nCVE-2\n',
        given: '/w/ig',
      },
      { name: 'policy.rego', role: 'ignore-policy', content: 'package trivy', given: '/w/p.rego' },
    ];
    expect(suppressingRule('CVE-2', '/w/ig', files)).toBe('.trivyignore (base branch 860c190):2');
    expect(suppressingRule('CVE-9', '/w/p.rego', files)).toBe('policy.rego');
  });
});
