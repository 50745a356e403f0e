import * as fs from 'fs';
import * as path from 'path';
import { judge } from '../../src/stages/scan/gate';
import {
  SEVERITIES,
  type FailOn,
  type Finding,
  type ScanResult,
} from '../../src/stages/scan/model';
import {
  annotations,
  commentMarker,
  countsOutput,
  failureMessage,
  renderComment,
  renderScan,
} from '../../src/stages/scan/render';
import { parseTrivyReport } from '../../src/stages/scan/report';

const FIXTURE = path.join(
  __dirname,
  '..',
  '..',
  'test',
  'fixtures',
  'scan',
  'vulnerable-image.json',
);
const report = parseTrivyReport(fs.readFileSync(FIXTURE, 'utf8'));
const ALL = [...SEVERITIES];

function result(
  findings: Finding[],
  failOn: FailOn,
  scanType: ScanResult['scanType'] = 'image',
): ScanResult {
  const verdict = judge(findings, { severities: ALL, failOn, ignoreUnfixed: false });
  return {
    result: verdict.passed ? 'passed' : 'failed',
    vulnerabilities: verdict.counts,
    sarif: '/tmp/trivy-results.sarif',
    target: '127.0.0.1:5000/testbed/vulnerable@sha256:0123',
    scanType,
    trivyVersion: '0.68.2',
    verdict,
    dbRepository: '',
    setAside: [],
    policyFiles: [],
  };
}

describe('the job summary', () => {
  const failed = result(report.findings, 'CRITICAL');

  it('says the verdict, counts per severity and a table of the top findings', () => {
    const summary = renderScan(failed, 'CRITICAL', ALL);
    expect(summary).toMatch(/^### Scan ❌ failed/);
    expect(summary).toContain(
      '`127.0.0.1:5000/testbed/vulnerable@sha256:0123` (image) scanned with Trivy 0.68.2',
    );
    expect(summary).toContain('| 🟥 CRITICAL | 🟧 HIGH | 🟨 MEDIUM | 🟦 LOW | ⬜ UNKNOWN |');
    const counts = failed.verdict.counts;
    expect(summary).toContain(
      `| ${counts.CRITICAL} | ${counts.HIGH} | ${counts.MEDIUM} | ${counts.LOW} | ${counts.UNKNOWN} |`,
    );
    expect(summary).toContain('| Severity | Vulnerability | Package | Installed → Fixed | Title |');
    expect(summary).toMatch(
      /\| 🟥 CRITICAL ⛔ \| \[CVE-2099-0001\]\(https:\/\/[^)]*cve-2099-0001\) \| gantry-testbed-vulnlib \| 1\.0\.0-1 → no fix yet \|/i,
    );
    expect(summary).toMatch(
      /\| 🟧 HIGH \| \[CVE-2099-0002\]\([^)]*\) \| gantry-testbed-vulnlib \| 1\.0\.0-1 → 1\.0\.0-2 \|/,
    );
  });

  it('reports without failing under fail-on none', () => {
    const summary = renderScan(result(report.findings, 'none'), 'none', ALL);
    expect(summary).toMatch(/^### Scan ✅ passed/);
    expect(summary).toContain('report only (fail-on: none)');
    expect(summary).not.toContain('⛔ |');
  });

  it('says so when there is nothing to report', () => {
    expect(renderScan(result([], 'CRITICAL'), 'CRITICAL', ALL)).toContain('No findings.');
  });

  it('gives counts as the vulnerabilities output', () => {
    expect(JSON.parse(countsOutput(failed))).toEqual(failed.verdict.counts);
  });
});

describe('the failure message and annotations', () => {
  it('lists the worst gating findings by name', () => {
    const message = failureMessage(result(report.findings, 'HIGH'), 'HIGH');
    expect(message.split('\n')[0]).toMatch(
      /^Scan failed: \d+ findings at or above HIGH in 127\.0\.0\.1:5000/,
    );
    expect(message).toContain(
      'CVE-2099-0001 (CRITICAL) in gantry-testbed-vulnlib 1.0.0-1 → no fix yet',
    );
    expect(message.indexOf('CVE-2099-0001')).toBeLessThan(message.indexOf('CVE-2099-0002'));
  });

  it('caps a long list', () => {
    const many = Array.from({ length: 8 }, (_, i): Finding => ({
      kind: 'vulnerability',
      id: `CVE-2024-${i}`,
      severity: 'CRITICAL',
      title: 't',
      target: 'x',
      pkgName: 'p',
      installedVersion: '1',
      fixedVersion: '2',
    }));
    expect(failureMessage(result(many, 'CRITICAL'), 'CRITICAL')).toContain('…and 3 more');
    const notes = annotations(result([...many, ...many, ...many], 'CRITICAL'));
    expect(notes.filter((a) => a.level === 'error')).toHaveLength(11);
    expect(notes[10].message).toMatch(/14 more gating findings/);
  });

  it('annotates gating findings as errors and other HIGH+ findings as warnings', () => {
    const notes = annotations(result(report.findings, 'CRITICAL'));
    const error = notes.find((a) => a.title === 'CVE-2099-0001 (CRITICAL)');
    expect(error).toMatchObject({ level: 'error' });
    expect(error?.message).toContain('gantry-testbed-vulnlib 1.0.0-1 → no fix yet');
    expect(error?.file).toBeUndefined();
    expect(notes.find((a) => a.title === 'CVE-2099-0002 (HIGH)')).toMatchObject({
      level: 'warning',
    });
  });

  it('points config findings at their file and line', () => {
    const misconfig: Finding = {
      kind: 'misconfiguration',
      id: 'KSV-0012',
      severity: 'HIGH',
      title: 'Runs as root user',
      target: 'k8s/deployment.yaml',
      message: 'should set runAsNonRoot',
      startLine: 12,
      endLine: 20,
      resolution: 'Set runAsNonRoot to true',
    };
    const [note] = annotations(result([misconfig], 'HIGH', 'config'));
    expect(note).toEqual({
      level: 'error',
      title: 'KSV-0012 (HIGH)',
      message: 'should set runAsNonRoot Fix: Set runAsNonRoot to true',
      file: 'k8s/deployment.yaml',
      startLine: 12,
      endLine: 20,
    });
  });
});

describe('the PR comment', () => {
  it('starts with the hidden marker and links the run', () => {
    const marker = commentMarker('ci', 'ship');
    const body = renderComment(result(report.findings, 'CRITICAL'), 'CRITICAL', ALL, {
      marker,
      sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
      runUrl: 'https://github.com/acme/app/actions/runs/1',
    });
    expect(body.startsWith(`${marker}\n## Gantry: Scan ❌ failed`)).toBe(true);
    expect(body).toContain(
      'Commit 860c190 · [workflow run](https://github.com/acme/app/actions/runs/1)',
    );
    expect(body).toContain('CVE-2099-0001');
  });

  it('has a marker per workflow job that stays a valid HTML comment', () => {
    expect(commentMarker('ci', 'ship')).toBe('<!-- gantry-scan: ci/ship -->');
    expect(commentMarker('ci', 'ship')).not.toBe(commentMarker('ci', 'scan-2'));
    expect(commentMarker('a-->b', 'x')).not.toMatch(/-->.*-->/);
  });
});

describe('what was kept from the gate, and untrusted text', () => {
  const hostile: Finding = {
    kind: 'secret',
    id: 'aws-access-key-id',
    severity: 'CRITICAL',
    title: 'AWS Access Key ID',
    target: 'app/<img src=x>.env',
    message: 'KEY=**** <details open> [x](https://evil.example) @acme/security <!-- hide',
    startLine: 2,
  };
  const suppressed: Finding = {
    kind: 'vulnerability',
    id: 'CVE-2099-0001',
    severity: 'CRITICAL',
    title: 't',
    target: 'debian',
    pkgName: 'libgantry-testbed',
    installedVersion: '1.0.0-1',
    fixedVersion: '',
    suppressed: { status: 'ignored', source: '/tmp/x', statement: '', rule: '.trivyignore:2' },
  };
  const r: ScanResult = {
    ...result([hostile, suppressed], 'CRITICAL', 'fs'),
    setAside: ['TRIVY_SEVERITY from the environment (the scan follows the severity input)'],
    policyFiles: ['.trivyignore (base branch 860c190)'],
  };

  it('lists set-aside variables, the policy files and each suppressed finding with its rule', () => {
    const summary = renderScan(r, 'CRITICAL', ALL);
    expect(summary).toContain('- TRIVY\\_SEVERITY from the environment');
    expect(summary).toContain('Policy files applied: .trivyignore \\(base branch 860c190\\).');
    expect(summary).toMatch(
      /\| CVE-2099-0001 \| 🟥 CRITICAL \| libgantry-testbed \| \.trivyignore:2 \|/,
    );
  });

  it('renders hostile matches and file names as text in the PR comment', () => {
    const body = renderComment(r, 'CRITICAL', ALL, {
      marker: '<!-- gantry-scan: ci/ship -->',
      sha: '5a4c3e2d1f0b9a8c',
      runUrl: 'https://github.com/acme/app/actions/runs/1',
    });
    expect(body.split('<!--')).toHaveLength(2);
    expect(body).not.toMatch(/<(img|details)/);
    expect(body).not.toMatch(/\]\(https:\/\/evil/);
    expect(body).not.toMatch(/@acme/);
    expect(body).toContain('&lt;details open&gt;');
  });
});
