// What people read about a scan: the job summary section, the PR comment, the gate's failure
// message and the ::error / ::warning annotations.
import { cell, code, inert, link as markdownLink, table } from '../../lib/markdown';
import { severityRank } from './gate';
import { SEVERITIES, type Finding, type ScanResult, type Severity } from './model';

/** How many findings the summary, comment and failure message list by name. */
export const TOP_FINDINGS = 10;
const FAILURE_FINDINGS = 5;
/** GitHub shows at most 10 annotations of each level per step; more is noise. */
const ANNOTATIONS_PER_LEVEL = 10;

const ICONS: Record<Severity, string> = {
  CRITICAL: '🟥',
  HIGH: '🟧',
  MEDIUM: '🟨',
  LOW: '🟦',
  UNKNOWN: '⬜',
};

/** The finding's id, linked to its advisory: the one link per finding Gantry makes. */
function link(finding: Finding): string {
  return markdownLink(finding.id, finding.url);
}

function versions(finding: Finding): string {
  return `${finding.installedVersion} → ${finding.fixedVersion || 'no fix yet'}`;
}

function where(finding: Finding): string {
  return finding.startLine ? `${finding.target}:${finding.startLine}` : finding.target;
}

/** One line naming a finding, for the failure message and annotations. */
export function describeFinding(finding: Finding): string {
  if (finding.kind === 'vulnerability') {
    return `${finding.id} (${finding.severity}) in ${finding.pkgName} ${versions(finding)}`;
  }
  return `${finding.id} (${finding.severity}) in ${where(finding)}: ${finding.title}`;
}

function gateText(result: ScanResult, failOn: string): string {
  return failOn === 'none' ? 'report only (fail-on: none)' : `fails on ${failOn} and above`;
}

function countsTable(result: ScanResult, severities: readonly Severity[]): string {
  const shown = [...SEVERITIES].reverse().filter((s) => severities.includes(s));
  return table(
    shown.map((s) => `${ICONS[s]} ${s}`),
    [shown.map((s) => String(result.verdict.counts[s]))],
  );
}

function droppedNote(result: ScanResult): string {
  const { belowSeverity, unfixed, suppressed } = result.verdict.dropped;
  const parts: string[] = [];
  if (suppressed) parts.push(`${suppressed} set aside by ignore files`);
  if (unfixed) parts.push(`${unfixed} without a fixed version (ignore-unfixed)`);
  if (belowSeverity) parts.push(`${belowSeverity} of severities not reported (severity)`);
  return parts.length ? `Not shown: ${parts.join(', ')}.` : '';
}

/** Everything that was kept from the gate, and every finding an ignore rule set aside. */
function setAsideSection(result: ScanResult): string[] {
  const out: string[] = [];
  if (result.policyFiles.length > 0) {
    out.push(`Policy files applied: ${result.policyFiles.map((f) => inert(f)).join(', ')}.`, '');
  }
  if (result.setAside.length > 0) {
    out.push("**Set aside** (the gate follows Gantry's inputs):", '');
    out.push(...result.setAside.map((line) => `- ${inert(line)}`), '');
  }
  const suppressed = result.verdict.suppressed;
  if (suppressed.length > 0) {
    const shown = suppressed.slice(0, TOP_FINDINGS);
    out.push(
      table(
        ['Set aside', 'Severity', 'Where', 'By'],
        shown.map((f) => [
          link(f),
          `${ICONS[f.severity]} ${f.severity}`,
          inert(f.kind === 'vulnerability' ? (f.pkgName ?? '') : where(f)),
          inert(f.suppressed?.rule || f.suppressed?.source || 'an ignore rule'),
        ]),
      ),
      '',
    );
    if (suppressed.length > shown.length) {
      out.push(`…and ${suppressed.length - shown.length} more set aside.`, '');
    }
  }
  return out;
}

function findingTables(findings: Finding[], gating: Set<Finding>): string[] {
  const top = findings.slice(0, TOP_FINDINGS);
  const mark = (f: Finding) => `${ICONS[f.severity]} ${f.severity}${gating.has(f) ? ' ⛔' : ''}`;
  const vulnerabilities = top.filter((f) => f.kind === 'vulnerability');
  const others = top.filter((f) => f.kind !== 'vulnerability');
  const out: string[] = [];
  if (vulnerabilities.length > 0) {
    out.push(
      table(
        ['Severity', 'Vulnerability', 'Package', 'Installed → Fixed', 'Title'],
        vulnerabilities.map((f) => [
          mark(f),
          link(f),
          inert(f.pkgName ?? ''),
          inert(versions(f)),
          inert(f.title),
        ]),
      ),
    );
  }
  if (others.length > 0) {
    out.push(
      table(
        ['Severity', 'Check', 'Where', 'Finding'],
        others.map((f) => [mark(f), link(f), inert(where(f)), inert(f.message || f.title)]),
      ),
    );
  }
  if (findings.length > top.length) {
    out.push(`…and ${findings.length - top.length} more in the SARIF report.`);
  }
  return out;
}

/** The body shared by the job summary and the PR comment. */
export function renderScan(
  result: ScanResult,
  failOn: string,
  severities: readonly Severity[],
): string {
  const { verdict } = result;
  const headline = verdict.passed ? '✅ passed' : '❌ failed';
  const lines = [
    `### Scan ${headline}`,
    '',
    `${code(result.target)} (${result.scanType}) scanned with Trivy ${result.trivyVersion}; ` +
      `the gate ${gateText(result, failOn)}.`,
    '',
    countsTable(result, severities),
    '',
  ];
  const note = droppedNote(result);
  if (note) lines.push(note, '');
  lines.push(...setAsideSection(result));
  if (verdict.reported.length === 0) {
    lines.push('No findings.');
  } else {
    const gating = new Set(verdict.gating);
    lines.push(
      `**Top findings** (⛔ fails the gate)`,
      '',
      ...findingTables(verdict.reported, gating).flatMap((t) => [t, '']),
    );
  }
  return lines.join('\n').trimEnd() + '\n';
}

/** The hidden marker that finds this job's comment again on re-runs. */
export function commentMarker(workflow: string, job: string): string {
  const name = `${workflow}/${job}`.replace(/[\r\n<>]/g, ' ').replace(/--/g, '- -');
  return `<!-- gantry-scan: ${cell(name)} -->`;
}

export function renderComment(
  result: ScanResult,
  failOn: string,
  severities: readonly Severity[],
  details: { marker: string; sha: string; runUrl: string },
): string {
  return [
    details.marker,
    renderScan(result, failOn, severities).replace(/^### /, '## Gantry: '),
    `<sub>Commit ${details.sha.slice(0, 7)} · [workflow run](${details.runUrl}) · updated on every run</sub>`,
    '',
  ].join('\n');
}

/** The job's failure message: how many findings gate, and the worst ones by name. */
export function failureMessage(result: ScanResult, failOn: string): string {
  const { gating } = result.verdict;
  const worst = gating.slice(0, FAILURE_FINDINGS).map((f) => `  - ${describeFinding(f)}`);
  const more = gating.length > worst.length ? [`  …and ${gating.length - worst.length} more`] : [];
  const noun = gating.length === 1 ? 'finding' : 'findings';
  return [
    `Scan failed: ${gating.length} ${noun} at or above ${failOn} in ${result.target}:`,
    ...worst,
    ...more,
  ].join('\n');
}

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
  /** Workspace-relative file, for findings in the checkout (fs and config scans). */
  file?: string;
  startLine?: number;
  endLine?: number;
}

function annotation(finding: Finding, level: Annotation['level'], inCheckout: boolean): Annotation {
  const message =
    finding.kind === 'vulnerability'
      ? `${finding.pkgName} ${versions(finding)}: ${finding.title}${finding.url ? ` ${finding.url}` : ''}`
      : `${finding.message || finding.title}${finding.resolution ? ` Fix: ${finding.resolution}` : ''}`;
  const out: Annotation = { level, title: `${finding.id} (${finding.severity})`, message };
  if (inCheckout && finding.kind !== 'vulnerability' && finding.target) {
    out.file = finding.target;
    out.startLine = finding.startLine;
    out.endLine = finding.endLine;
  }
  return out;
}

/**
 * Errors for the findings that gate; warnings for HIGH and CRITICAL findings that do not
 * (fail-on none, or a higher threshold). Findings of fs and config scans point at their file
 * (targets are workspace-relative by then).
 */
export function annotations(result: ScanResult): Annotation[] {
  const inCheckout = result.scanType !== 'image';
  const gating = new Set(result.verdict.gating);
  const warn = result.verdict.reported.filter(
    (f) => !gating.has(f) && severityRank(f.severity) >= severityRank('HIGH'),
  );
  const pick = (list: Finding[], level: Annotation['level']): Annotation[] => {
    const shown = list.slice(0, ANNOTATIONS_PER_LEVEL).map((f) => annotation(f, level, inCheckout));
    if (list.length > shown.length) {
      shown.push({
        level,
        title: 'More findings',
        message: `${list.length - shown.length} more ${level === 'error' ? 'gating ' : ''}findings are in the job summary and SARIF report.`,
      });
    }
    return shown;
  };
  return [...pick(result.verdict.gating, 'error'), ...pick(warn, 'warning')];
}

/** Counts per severity, the `vulnerabilities` output. */
export function countsOutput(result: ScanResult): string {
  return JSON.stringify(result.verdict.counts);
}
