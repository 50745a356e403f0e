import * as fs from 'fs';
import * as path from 'path';
import { judge } from '../../src/stages/scan/gate';
import { SEVERITIES, type Finding, type ScanReport } from '../../src/stages/scan/model';
import { parseTrivyReport } from '../../src/stages/scan/report';
import { imagePath, toSarif } from '../../src/stages/scan/sarif';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'scan');
const read = (name: string) => parseTrivyReport(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

/* eslint-disable @typescript-eslint/no-explicit-any -- walking a JSON document */
/**
 * The parts of SARIF 2.1.0 that github/codeql-action/upload-sarif rejects or drops results
 * for: version and schema, a tool driver, rules referenced by id and index, levels, messages,
 * relative artifact URIs with a 1-based region, and numeric security-severity.
 */
function sarifProblems(doc: any): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => ok || problems.push(what);
  check(doc.version === '2.1.0', 'version must be 2.1.0');
  check(/sarif-schema-2\.1\.0\.json$/.test(doc.$schema), '$schema must be the 2.1.0 schema');
  check(Array.isArray(doc.runs) && doc.runs.length === 1, 'one run');
  for (const run of doc.runs ?? []) {
    const driver = run.tool?.driver;
    check(typeof driver?.name === 'string' && driver.name !== '', 'tool.driver.name');
    const rules: any[] = driver?.rules ?? [];
    const ids = rules.map((r) => r.id);
    check(new Set(ids).size === ids.length, 'rule ids are unique');
    for (const rule of rules) {
      check(typeof rule.shortDescription?.text === 'string', `rule ${rule.id}: shortDescription`);
      const score = rule.properties?.['security-severity'];
      check(
        /^\d+(\.\d+)?$/.test(score) && Number(score) <= 10,
        `rule ${rule.id}: security-severity ${score}`,
      );
      check(
        ['error', 'warning', 'note', 'none'].includes(rule.defaultConfiguration?.level),
        `rule ${rule.id}: level`,
      );
    }
    for (const result of run.results ?? []) {
      check(ids.includes(result.ruleId), `result ${result.ruleId}: rule exists`);
      check(rules[result.ruleIndex]?.id === result.ruleId, `result ${result.ruleId}: ruleIndex`);
      check(
        ['error', 'warning', 'note', 'none'].includes(result.level),
        `result ${result.ruleId}: level`,
      );
      check(
        typeof result.message?.text === 'string' && result.message.text !== '',
        `result ${result.ruleId}: message`,
      );
      const location = result.locations?.[0]?.physicalLocation;
      const uri: string = location?.artifactLocation?.uri ?? '';
      check(
        uri !== '' && !/^[a-z]+:|^\//i.test(uri) && !/\s/.test(uri),
        `result ${result.ruleId}: relative uri "${uri}"`,
      );
      const region = location?.region ?? {};
      check(
        Number.isInteger(region.startLine) && region.startLine >= 1,
        `result ${result.ruleId}: startLine`,
      );
      check(region.endLine >= region.startLine, `result ${result.ruleId}: endLine`);
    }
  }
  return problems;
}

function sarifOf(report: ScanReport): any {
  const verdict = judge(report.findings, {
    severities: [...SEVERITIES],
    failOn: 'none',
    ignoreUnfixed: false,
  });
  return JSON.parse(JSON.stringify(toSarif(verdict.reported, report, '0.68.2')));
}

describe('SARIF', () => {
  it('is valid for upload-sarif and carries every reported vulnerability', () => {
    const report = read('vulnerable-image.json');
    const sarif = sarifOf(report);
    expect(sarifProblems(sarif)).toEqual([]);
    const results = sarif.runs[0].results;
    expect(results.map((r: any) => r.ruleId)).toEqual(
      expect.arrayContaining(['CVE-2099-0001', 'CVE-2099-0002']),
    );
    const critical = results.find((r: any) => r.ruleId === 'CVE-2099-0001');
    expect(critical.level).toBe('error');
    expect(critical.locations[0].physicalLocation.artifactLocation.uri).toBe('testbed/vulnerable');
    const rule = sarif.runs[0].tool.driver.rules[critical.ruleIndex];
    expect(rule.properties['security-severity']).toBe('9.5');
    expect(rule.helpUri).toMatch(/cve-2099-0001/i);
  });

  it('points misconfigurations at the manifest line', () => {
    const report: ScanReport = {
      artifactName: 'k8s',
      artifactType: 'filesystem',
      findings: [
        {
          kind: 'misconfiguration',
          id: 'KSV-0012',
          severity: 'MEDIUM',
          title: 'Runs as root user',
          target: 'k8s/deployment.yaml',
          message: "Container 'app' should set 'securityContext.runAsNonRoot' to true",
          startLine: 12,
          endLine: 20,
        } satisfies Finding,
      ],
    };
    const sarif = sarifOf(report);
    expect(sarifProblems(sarif)).toEqual([]);
    const location = sarif.runs[0].results[0].locations[0].physicalLocation;
    expect(location.artifactLocation.uri).toBe('k8s/deployment.yaml');
    expect(location.region).toMatchObject({ startLine: 12, endLine: 20 });
  });

  it('shares one rule between results of the same CVE and uses CVSS when known', () => {
    const finding = (pkgName: string): Finding => ({
      kind: 'vulnerability',
      id: 'CVE-2024-1',
      severity: 'HIGH',
      title: 't',
      target: 'app (alpine 3.20)',
      pkgName,
      installedVersion: '1',
      fixedVersion: '2',
      cvssScore: 7.5,
    });
    const sarif = sarifOf({
      artifactName: 'app:1',
      artifactType: 'container_image',
      findings: [finding('a'), finding('b')],
    });
    expect(sarifProblems(sarif)).toEqual([]);
    expect(sarif.runs[0].tool.driver.rules).toHaveLength(1);
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(sarif.runs[0].tool.driver.rules[0].properties['security-severity']).toBe('7.5');
  });

  it.each([
    ['127.0.0.1:5000/testbed/vulnerable:1', 'testbed/vulnerable'],
    ['ghcr.io/acme/app@sha256:abc', 'acme/app'],
    ['alpine:3.20', 'alpine'],
    ['localhost/app', 'app'],
    ['library/debian', 'library/debian'],
  ])('stands %s for the image as %s', (reference, uri) => {
    expect(imagePath(reference)).toBe(uri);
  });
});
