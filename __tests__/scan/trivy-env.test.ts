import { describeSetAside, trivyEnvironment } from '../../src/stages/scan/trivy-env';

describe("Trivy's environment", () => {
  it.each<[string, Record<string, string>, string[], string[]]>([
    ['TRIVY_SEVERITY narrows the report', { TRIVY_SEVERITY: 'LOW' }, ['TRIVY_SEVERITY'], []],
    ['TRIVY_IGNORE_UNFIXED', { TRIVY_IGNORE_UNFIXED: 'true' }, ['TRIVY_IGNORE_UNFIXED'], []],
    ['TRIVY_SKIP_FILES', { TRIVY_SKIP_FILES: '/usr/lib/**' }, ['TRIVY_SKIP_FILES'], []],
    ['TRIVY_SKIP_DIRS', { TRIVY_SKIP_DIRS: '/usr' }, ['TRIVY_SKIP_DIRS'], []],
    ['TRIVY_PKG_TYPES', { TRIVY_PKG_TYPES: 'library' }, ['TRIVY_PKG_TYPES'], []],
    ['TRIVY_IGNOREFILE', { TRIVY_IGNOREFILE: '/tmp/x' }, ['TRIVY_IGNOREFILE'], []],
    ['TRIVY_SERVER (client mode)', { TRIVY_SERVER: 'http://x' }, ['TRIVY_SERVER'], []],
    ['lower-case names too', { trivy_severity: 'LOW' }, ['trivy_severity'], []],
    [
      'registry credentials pass',
      { TRIVY_USERNAME: 'u', TRIVY_PASSWORD: 'p', TRIVY_INSECURE: 'true' },
      [],
      ['TRIVY_USERNAME', 'TRIVY_PASSWORD', 'TRIVY_INSECURE'],
    ],
    ['the binary path $TRIVY is not a flag', { TRIVY: '/bin/trivy' }, [], ['TRIVY']],
    ['other variables pass', { HOME: '/root', GITHUB_SHA: 'abc' }, [], ['HOME', 'GITHUB_SHA']],
  ])('%s', (_name, env, setAside, kept) => {
    const result = trivyEnvironment({ PATH: '/bin', ...env });
    expect(result.setAside.map((s) => s.name)).toEqual(setAside);
    expect(Object.keys(result.env).sort()).toEqual(['PATH', ...kept].sort());
  });

  it('names the input to use instead', () => {
    const [entry] = trivyEnvironment({ TRIVY_SEVERITY: 'LOW' }).setAside;
    expect(describeSetAside(entry)).toBe(
      'TRIVY_SEVERITY from the environment (the scan follows the severity input)',
    );
    const [other] = trivyEnvironment({ TRIVY_SERVER: 'x' }).setAside;
    expect(describeSetAside(other)).toContain("not an input of Gantry's scan");
  });
});
