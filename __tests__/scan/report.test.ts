// Trivy v0.68.2 JSON reports captured from the testbed (test/fixtures/scan/*.json).
import * as fs from 'fs';
import * as path from 'path';
import { judge } from '../../src/stages/scan/gate';
import { SEVERITIES } from '../../src/stages/scan/model';
import { parseTrivyReport, rebaseTargets, toSeverity } from '../../src/stages/scan/report';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'scan');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

describe('reading Trivy JSON', () => {
  it('reads the vulnerable image: the authored CVEs, their packages and fixes', () => {
    const report = parseTrivyReport(fixture('vulnerable-image.json'));
    expect(report.artifactName).toBe('127.0.0.1:5000/testbed/vulnerable:1');
    expect(report.artifactType).toBe('container_image');
    const byId = Object.fromEntries(report.findings.map((f) => [f.id, f]));
    expect(Object.keys(byId).sort()).toEqual([
      'CVE-2099-0001',
      'CVE-2099-0002',
      'CVE-2099-0003',
      'CVE-2099-0004',
    ]);
    expect(byId['CVE-2099-0001']).toMatchObject({
      kind: 'vulnerability',
      severity: 'CRITICAL',
      pkgName: 'gantry-testbed-vulnlib',
      installedVersion: '1.0.0-1',
      fixedVersion: '',
      status: 'affected',
      url: 'https://avd.aquasec.com/nvd/cve-2099-0001',
      title: 'gantry-testbed-vulnlib: authored critical flaw with no fix yet',
    });
    expect(byId['CVE-2099-0001'].target).toMatch(
      /^127\.0\.0\.1:5000\/testbed\/vulnerable:1 \(debian 12\.\d+\)$/,
    );
    expect(byId['CVE-2099-0002']).toMatchObject({
      severity: 'HIGH',
      fixedVersion: '1.0.0-2',
      status: 'fixed',
    });
    expect(report.findings.every((f) => !f.suppressed)).toBe(true);
  });

  it('keeps what an ignore file set aside, marked as suppressed with its reason', () => {
    const report = parseTrivyReport(fixture('vulnerable-image-ignored.json'));
    const ignored = report.findings.filter((f) => f.suppressed);
    expect(ignored.map((f) => f.id)).toEqual(['CVE-2099-0001']);
    expect(ignored[0].suppressed).toEqual({
      status: 'ignored',
      source: '.trivyignore.yaml',
      statement: 'accepted until a fix ships',
    });
    expect(ignored[0]).toMatchObject({ severity: 'CRITICAL', pkgName: 'gantry-testbed-vulnlib' });
    // An expired entry (CVE-2099-0003, expired_at 2020-01-01) no longer ignores anything.
    expect(report.findings.find((f) => f.id === 'CVE-2099-0003')?.suppressed).toBeUndefined();
    const verdict = judge(report.findings, {
      severities: [...SEVERITIES],
      failOn: 'CRITICAL',
      ignoreUnfixed: false,
    });
    expect(verdict.passed).toBe(true);
    expect(verdict.dropped.suppressed).toBe(1);
  });

  it('reads failed Kubernetes checks with their file, lines and fix', () => {
    const report = parseTrivyReport(fixture('config-k8s.json'));
    const rootUser = report.findings.find((f) => f.id === 'KSV012');
    expect(rootUser).toEqual({
      kind: 'misconfiguration',
      id: 'KSV012',
      severity: 'MEDIUM',
      title: 'Runs as root user',
      target: 'deployment.yaml',
      url: 'https://avd.aquasec.com/misconfig/ksv012',
      message:
        "Container 'app' of Deployment 'rooted' should set 'securityContext.runAsNonRoot' to true",
      resolution: "Set 'containers[].securityContext.runAsNonRoot' to true.",
      startLine: 18,
      endLine: 23,
    });
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['KSV011', 'KSV018']));
    expect(report.findings.every((f) => f.kind === 'misconfiguration')).toBe(true);
  });

  it('rebases fs/config targets onto the workspace', () => {
    const report = rebaseTargets(parseTrivyReport(fixture('config-k8s.json')), '/ws/k8s', '/ws');
    expect(new Set(report.findings.map((f) => f.target))).toEqual(new Set(['k8s/deployment.yaml']));
  });

  it('reads secrets and skips passed checks', () => {
    const report = parseTrivyReport(
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: '.',
        ArtifactType: 'filesystem',
        Results: [
          {
            Target: 'config/.env',
            Class: 'secret',
            Secrets: [
              {
                RuleID: 'github-pat',
                Category: 'GitHub',
                Severity: 'CRITICAL',
                Title: 'GitHub Personal Access Token',
                StartLine: 3,
                EndLine: 3,
                Match: 'GITHUB_TOKEN=****************',
              },
            ],
          },
          {
            Target: 'Dockerfile',
            Class: 'config',
            Misconfigurations: [{ ID: 'DS002', Severity: 'HIGH', Title: 'root', Status: 'PASS' }],
          },
        ],
      }),
    );
    expect(report.findings).toEqual([
      {
        kind: 'secret',
        id: 'github-pat',
        severity: 'CRITICAL',
        title: 'GitHub Personal Access Token',
        target: 'config/.env',
        message: 'GITHUB_TOKEN=****************',
        startLine: 3,
        endLine: 3,
      },
    ]);
  });

  it('reads a report without results as no findings', () => {
    expect(parseTrivyReport('{"SchemaVersion":2,"ArtifactName":"busybox:1"}').findings).toEqual([]);
  });

  it.each([
    ['not json', /could not be parsed/],
    ['{"SchemaVersion":1}', /schema version 1; Gantry reads version 2/],
  ])('refuses %s', (text, message) => {
    expect(() => parseTrivyReport(text)).toThrow(message);
  });

  it.each([
    ['critical', 'CRITICAL'],
    ['HIGH', 'HIGH'],
    ['', 'UNKNOWN'],
    ['SEVERE', 'UNKNOWN'],
  ])('reads severity %j as %s', (raw, severity) => {
    expect(toSeverity(raw)).toBe(severity);
  });
});
