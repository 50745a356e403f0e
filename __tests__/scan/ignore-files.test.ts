import { parse as parseYaml } from 'yaml';
import { InputError } from '../../src/lib/errors';
import { mergeIgnoreFiles } from '../../src/stages/scan/ignore-files';

describe('merging ignore files', () => {
  it('concatenates plain files, keeping Trivy’s line format', () => {
    const merged = mergeIgnoreFiles([
      { path: 'a/.trivyignore', content: '# accepted risk\nCVE-2099-0001 exp:2099-12-31\n' },
      { path: 'b/.trivyignore', content: 'CVE-2099-0002' },
    ]);
    expect(merged.format).toBe('plain');
    expect(merged.content.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'CVE-2099-0001 exp:2099-12-31',
      'CVE-2099-0002',
    ]);
  });

  it('turns plain lines into entries of every YAML section when a YAML file is in the mix', () => {
    const merged = mergeIgnoreFiles([
      { path: '.trivyignore', content: 'CVE-2099-0001 exp:2099-12-31\n# note\n' },
      {
        path: '.trivyignore.yaml',
        content:
          'vulnerabilities:\n  - id: CVE-2099-0002\n    statement: not reachable\n    paths: ["usr/lib/**"]\n' +
          'misconfigurations:\n  - id: KSV-0012\n',
      },
    ]);
    expect(merged.format).toBe('yaml');
    const doc = parseYaml(merged.content);
    expect(doc.vulnerabilities).toEqual([
      { id: 'CVE-2099-0001', expired_at: '2099-12-31' },
      { id: 'CVE-2099-0002', statement: 'not reachable', paths: ['usr/lib/**'] },
    ]);
    expect(doc.misconfigurations).toEqual([
      { id: 'CVE-2099-0001', expired_at: '2099-12-31' },
      { id: 'KSV-0012' },
    ]);
    expect(doc.secrets).toEqual([{ id: 'CVE-2099-0001', expired_at: '2099-12-31' }]);
    // Trivy reads expiry dates as YAML timestamps: they must not come out quoted.
    expect(merged.content).toContain('expired_at: 2099-12-31');
  });

  it('names the file when its YAML is broken', () => {
    expect(() =>
      mergeIgnoreFiles([
        { path: 'a.trivyignore', content: 'CVE-1' },
        { path: 'bad.trivyignore.yaml', content: 'vulnerabilities: {id: [' },
      ]),
    ).toThrow(InputError);
    expect(() =>
      mergeIgnoreFiles([
        { path: 'a.trivyignore', content: 'CVE-1' },
        { path: 'list.trivyignore.yml', content: 'vulnerabilities: CVE-1' },
      ]),
    ).toThrow(/list.trivyignore.yml: `vulnerabilities` must be a list/);
  });
});
