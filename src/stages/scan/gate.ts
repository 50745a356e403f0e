// The gate: which findings are reported (severity, ignore-unfixed, ignore files) and whether
// any reported finding is at or above fail-on.
import { SEVERITIES, type Finding, type ScanPolicy, type Severity, type Verdict } from './model';

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A vulnerability no fixed version exists for yet (Trivy's --ignore-unfixed drops these). */
export function isUnfixed(finding: Finding): boolean {
  if (finding.kind !== 'vulnerability') return false;
  return finding.status ? finding.status !== 'fixed' : !finding.fixedVersion;
}

/** Worst first: severity, then the ones a version bump fixes, then by id for a stable order. */
export function worstFirst(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(isUnfixed(a)) - Number(isUnfixed(b)) ||
    (b.cvssScore ?? 0) - (a.cvssScore ?? 0) ||
    a.id.localeCompare(b.id) ||
    (a.pkgName ?? a.target).localeCompare(b.pkgName ?? b.target)
  );
}

export function emptyCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

export function judge(findings: Finding[], policy: ScanPolicy): Verdict {
  const dropped = { belowSeverity: 0, unfixed: 0, suppressed: 0 };
  const reported: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of findings) {
    if (finding.suppressed) {
      dropped.suppressed++;
      suppressed.push(finding);
    } else if (!policy.severities.includes(finding.severity)) dropped.belowSeverity++;
    else if (policy.ignoreUnfixed && isUnfixed(finding)) dropped.unfixed++;
    else reported.push(finding);
  }
  reported.sort(worstFirst);
  const failOn = policy.failOn;
  const gating =
    failOn === 'none'
      ? []
      : reported.filter((f) => severityRank(f.severity) >= severityRank(failOn));
  const counts = emptyCounts();
  for (const finding of reported) counts[finding.severity]++;
  suppressed.sort(worstFirst);
  return { passed: gating.length === 0, reported, gating, counts, dropped, suppressed };
}
