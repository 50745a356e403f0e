import { judge, isUnfixed, worstFirst } from '../../src/stages/scan/gate';
import { SEVERITIES, type Finding, type FailOn, type Severity } from '../../src/stages/scan/model';

function vuln(
  id: string,
  severity: Severity,
  fixedVersion: string,
  extra: Partial<Finding> = {},
): Finding {
  return {
    kind: 'vulnerability',
    id,
    severity,
    title: `${id} title`,
    target: 'app (debian 12.12)',
    pkgName: 'libfoo',
    installedVersion: '1.0',
    fixedVersion,
    status: fixedVersion ? 'fixed' : 'affected',
    ...extra,
  };
}

// The testbed's authored advisories: CRITICAL without a fix, HIGH and MEDIUM fixed, LOW without.
const FINDINGS = [
  vuln('CVE-2099-0001', 'CRITICAL', ''),
  vuln('CVE-2099-0002', 'HIGH', '1.0.0-2'),
  vuln('CVE-2099-0003', 'MEDIUM', '1.0.0-2'),
  vuln('CVE-2099-0004', 'LOW', ''),
];
const IGNORED_CRITICAL = vuln('CVE-2099-0001', 'CRITICAL', '', {
  suppressed: { status: 'ignored', source: '.trivyignore', statement: '' },
});
const ALL = [...SEVERITIES];

describe('the gate', () => {
  it.each<[string, Severity[], FailOn, boolean, boolean, boolean, string[]]>([
    // name, severity, fail-on, ignore-unfixed, ignore file drops the CRITICAL, passed, gating ids
    ['default gate: CRITICAL fails', ALL, 'CRITICAL', false, false, false, ['CVE-2099-0001']],
    [
      'HIGH threshold adds the HIGH',
      ALL,
      'HIGH',
      false,
      false,
      false,
      ['CVE-2099-0001', 'CVE-2099-0002'],
    ],
    [
      'LOW threshold gates on all four',
      ALL,
      'LOW',
      false,
      false,
      false,
      ['CVE-2099-0001', 'CVE-2099-0002', 'CVE-2099-0003', 'CVE-2099-0004'],
    ],
    ['fail-on none only reports', ALL, 'none', false, false, true, []],
    ['ignore-unfixed drops the unfixed CRITICAL', ALL, 'CRITICAL', true, false, true, []],
    ['ignore-unfixed keeps the fixed HIGH', ALL, 'HIGH', true, false, false, ['CVE-2099-0002']],
    ['ignore file sets the CRITICAL aside', ALL, 'CRITICAL', false, true, true, []],
    ['ignore file leaves the HIGH gating', ALL, 'HIGH', false, true, false, ['CVE-2099-0002']],
    [
      'severity filter keeps the gate on what is reported',
      ['HIGH', 'CRITICAL'],
      'HIGH',
      false,
      false,
      false,
      ['CVE-2099-0001', 'CVE-2099-0002'],
    ],
    [
      'MEDIUM gate with everything unfixed or ignored aside',
      ALL,
      'MEDIUM',
      true,
      true,
      false,
      ['CVE-2099-0002', 'CVE-2099-0003'],
    ],
  ])('%s', (_name, severities, failOn, ignoreUnfixed, ignoreFile, passed, gating) => {
    const findings = ignoreFile ? [IGNORED_CRITICAL, ...FINDINGS.slice(1)] : FINDINGS;
    const verdict = judge(findings, { severities, failOn, ignoreUnfixed });
    expect(verdict.passed).toBe(passed);
    expect(verdict.gating.map((f) => f.id)).toEqual(gating);
  });

  it('counts reported findings per severity and says what it left out', () => {
    const findings = [IGNORED_CRITICAL, ...FINDINGS.slice(1)];
    const verdict = judge(findings, {
      severities: ['MEDIUM', 'HIGH', 'CRITICAL'],
      failOn: 'none',
      ignoreUnfixed: true,
    });
    expect(verdict.counts).toEqual({ UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 1, CRITICAL: 0 });
    expect(verdict.dropped).toEqual({ suppressed: 1, belowSeverity: 1, unfixed: 0 });
  });

  it('lists the worst first: severity, then fixable, then CVSS', () => {
    const sorted = [
      vuln('CVE-B', 'HIGH', ''),
      vuln('CVE-A', 'HIGH', '2.0', { cvssScore: 7.1 }),
      vuln('CVE-C', 'CRITICAL', ''),
      vuln('CVE-D', 'HIGH', '2.0', { cvssScore: 8.8 }),
    ].sort(worstFirst);
    expect(sorted.map((f) => f.id)).toEqual(['CVE-C', 'CVE-D', 'CVE-A', 'CVE-B']);
  });

  it.each<[Partial<Finding>, boolean]>([
    [{ status: 'fixed', fixedVersion: '2.0' }, false],
    [{ status: 'affected', fixedVersion: '' }, true],
    [{ status: 'will_not_fix', fixedVersion: '' }, true],
    [{ status: undefined, fixedVersion: '' }, true],
    [{ status: undefined, fixedVersion: '2.0' }, false],
  ])('a vulnerability with %j is unfixed: %s', (fields, unfixed) => {
    expect(isUnfixed({ ...vuln('CVE-X', 'HIGH', ''), ...fields })).toBe(unfixed);
  });

  it('never treats secrets or misconfigurations as unfixed', () => {
    const secret: Finding = {
      kind: 'secret',
      id: 'aws-access-key-id',
      severity: 'CRITICAL',
      title: 'AWS',
      target: 'a',
    };
    expect(isUnfixed(secret)).toBe(false);
    const verdict = judge([secret], { severities: ALL, failOn: 'CRITICAL', ignoreUnfixed: true });
    expect(verdict.gating).toEqual([secret]);
  });
});
