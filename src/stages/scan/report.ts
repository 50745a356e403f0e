// Reads Trivy's JSON report (schema version 2) into typed findings: vulnerabilities, secrets
// and failed misconfiguration checks, plus the ones an ignore file set aside.
import * as path from 'path';
import {
  SEVERITIES,
  type Finding,
  type FindingKind,
  type ScanReport,
  type Severity,
} from './model';

/* eslint-disable @typescript-eslint/no-explicit-any -- Trivy's JSON is read defensively */
type Json = Record<string, any>;

export function toSeverity(value: unknown): Severity {
  const upper = String(value ?? '').toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : 'UNKNOWN';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function line(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** The highest CVSS v3 base score among the sources Trivy lists (nvd, redhat, ghsa, ...). */
function highestCvss(cvss: unknown): number | undefined {
  if (!cvss || typeof cvss !== 'object') return undefined;
  const scores = Object.values(cvss as Json)
    .map((source) => (source as Json)?.V3Score)
    .filter((score): score is number => typeof score === 'number');
  return scores.length > 0 ? Math.max(...scores) : undefined;
}

function vulnerability(v: Json, target: string): Finding {
  return {
    kind: 'vulnerability',
    id: text(v.VulnerabilityID),
    severity: toSeverity(v.Severity),
    title: text(v.Title) || text(v.Description).split('\n')[0],
    target,
    pkgName: text(v.PkgName),
    installedVersion: text(v.InstalledVersion),
    fixedVersion: text(v.FixedVersion),
    status: text(v.Status) || undefined,
    url: text(v.PrimaryURL) || undefined,
    cvssScore: highestCvss(v.CVSS),
  };
}

function secret(s: Json, target: string): Finding {
  return {
    kind: 'secret',
    id: text(s.RuleID),
    severity: toSeverity(s.Severity),
    title: text(s.Title),
    target,
    // Trivy masks the secret itself in Match; it still shows where it sits.
    message: text(s.Match) || undefined,
    startLine: line(s.StartLine),
    endLine: line(s.EndLine),
  };
}

function misconfiguration(m: Json, target: string): Finding {
  return {
    kind: 'misconfiguration',
    id: text(m.ID) || text(m.AVDID),
    severity: toSeverity(m.Severity),
    title: text(m.Title),
    target,
    url: text(m.PrimaryURL) || undefined,
    message: text(m.Message) || undefined,
    resolution: text(m.Resolution) || undefined,
    startLine: line(m.CauseMetadata?.StartLine),
    endLine: line(m.CauseMetadata?.EndLine),
  };
}

const READERS: Record<FindingKind, (raw: Json, target: string) => Finding> = {
  vulnerability,
  secret,
  misconfiguration,
};

function modified(m: Json, target: string): Finding | undefined {
  const read = READERS[m.Type as FindingKind];
  if (!read || !m.Finding) return undefined;
  return {
    ...read(m.Finding as Json, target),
    suppressed: { status: text(m.Status), source: text(m.Source), statement: text(m.Statement) },
  };
}

/** Parse the text of `trivy ... --format json`. Throws when it is not a Trivy report. */
export function parseTrivyReport(json: string): ScanReport {
  let doc: Json;
  try {
    doc = JSON.parse(json) as Json;
  } catch (err) {
    throw new Error(`Trivy's JSON report could not be parsed: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || doc.SchemaVersion !== 2) {
    throw new Error(
      `Trivy's report has schema version ${String(doc?.SchemaVersion)}; Gantry reads version 2`,
    );
  }
  const findings: Finding[] = [];
  for (const result of (doc.Results ?? []) as Json[]) {
    const target = text(result.Target);
    for (const v of (result.Vulnerabilities ?? []) as Json[])
      findings.push(vulnerability(v, target));
    for (const s of (result.Secrets ?? []) as Json[]) findings.push(secret(s, target));
    for (const m of (result.Misconfigurations ?? []) as Json[]) {
      // Reports made with --include-non-failures also list passed checks.
      if (m.Status === undefined || m.Status === 'FAIL') findings.push(misconfiguration(m, target));
    }
    for (const m of (result.ExperimentalModifiedFindings ?? []) as Json[]) {
      const finding = modified(m, target);
      if (finding) findings.push(finding);
    }
  }
  return {
    artifactName: text(doc.ArtifactName),
    artifactType: text(doc.ArtifactType),
    findings,
  };
}

/**
 * fs and config scans name files relative to the scanned directory; the reports name them
 * relative to the workspace, where annotations and code scanning look for them.
 */
export function rebaseTargets(report: ScanReport, scanRoot: string, workspace: string): ScanReport {
  const rebase = (target: string) =>
    target
      ? path.relative(workspace, path.resolve(scanRoot, target)).split(path.sep).join('/')
      : target;
  return { ...report, findings: report.findings.map((f) => ({ ...f, target: rebase(f.target) })) };
}
