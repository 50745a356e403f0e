// What the scan stage reports, and the typed findings it reasons about (read from Trivy's
// JSON report, judged by the gate, written as SARIF, the summary and the PR comment).

/** Trivy's severities, lowest first: the order the gate compares them in. */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SCAN_TYPES = ['image', 'fs', 'config', 'repo', 'rootfs', 'sbom'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

export const SCANNERS = ['vuln', 'secret', 'misconfig'] as const;
export type Scanner = (typeof SCANNERS)[number];

export type FindingKind = 'vulnerability' | 'secret' | 'misconfiguration';

/** Why Trivy set a finding aside (an ignore file or VEX statement), from ModifiedFindings. */
export interface Suppression {
  status: string;
  source: string;
  statement: string;
  /** The rule that did it, as the reports name it: `.trivyignore:3 (base branch)`. */
  rule?: string;
}

/** One thing Trivy found, in the words the reports use. */
export interface Finding {
  kind: FindingKind;
  /** CVE-..., a secret rule id or a check id (e.g. KSV-0012). */
  id: string;
  severity: Severity;
  title: string;
  /** Trivy's result target: the image's OS, a lock file, a manifest path. */
  target: string;
  /** Vulnerabilities: the affected package and versions ('' fixedVersion = no fix yet). */
  pkgName?: string;
  installedVersion?: string;
  fixedVersion?: string;
  /** Trivy's fix status (fixed, affected, will_not_fix, ...). */
  status?: string;
  /** A page about the finding (advisory, check documentation). */
  url?: string;
  /** Misconfigurations and secrets: what is wrong where, and how to fix it. */
  message?: string;
  resolution?: string;
  startLine?: number;
  endLine?: number;
  /** The highest CVSS v3 base score any source gives (vulnerabilities). */
  cvssScore?: number;
  /** Set when an ignore file (or VEX) suppressed the finding; it never gates. */
  suppressed?: Suppression;
}

/** Trivy's report reduced to what the gate and the reports need. */
export interface ScanReport {
  artifactName: string;
  artifactType: string;
  findings: Finding[];
}

export type FailOn = Severity | 'none';

/** Which findings are reported and which fail the job. */
export interface ScanPolicy {
  /** Severities that are reported; the others are dropped from every report. */
  severities: Severity[];
  /** The lowest severity that fails the job, or `none` to only report. */
  failOn: FailOn;
  /** Drop vulnerabilities that have no fixed version yet. */
  ignoreUnfixed: boolean;
}

export interface Verdict {
  passed: boolean;
  /** Findings shown in the reports (severity filter, ignore-unfixed and ignore files applied). */
  reported: Finding[];
  /** Reported findings at or above fail-on, worst first. */
  gating: Finding[];
  /** Reported findings per severity (every severity present, zero when none). */
  counts: Record<Severity, number>;
  /** Findings left out of the reports, by reason. */
  dropped: { belowSeverity: number; unfixed: number; suppressed: number };
  /** The findings an ignore rule set aside, worst first (each names its rule). */
  suppressed: Finding[];
}

export interface ScanResult {
  result: 'passed' | 'failed';
  /** Findings per severity (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN). */
  vulnerabilities: Record<string, number>;
  sarif: string;
  /** What was scanned, as the reports name it: an image reference (by digest or image ID when
   * it came from build) or a workspace-relative path. */
  target: string;
  scanType: ScanType;
  trivyVersion: string;
  verdict: Verdict;
  /** The DB repository the vulnerability DB came from ('' when it was fresh or not needed). */
  dbRepository: string;
  /** The PR comment written on pull_request events. */
  comment?: { url: string; updated: boolean };
  /** What was kept from deciding the gate: TRIVY_* variables, pull-request policy files. */
  setAside: string[];
  /** The policy files that applied, as the reports name them. */
  policyFiles: string[];
  /** The extra report (`format`) and where it went ('' = the log). */
  formatted?: { format: string; file: string };
}
