// How measurements read in the log and in a failure message, for every judged rollout: the
// value in the check's unit, against its threshold, with the provider's word on it.
import { formatValue } from '../analysis/judge';
import type { AnalysisCheck, Measurement } from '../analysis/model';

function shownValue(m: Measurement, checks: AnalysisCheck[]): string | undefined {
  const unit = checks.find((check) => check.name === m.check)?.unit ?? 'number';
  return m.canary !== undefined ? formatValue(m.canary, unit) : undefined;
}

/** One log line per measurement: `success-rate FAILED: 94.87 % (threshold ≥ 99.00 %) …`. */
export function measurementLine(m: Measurement, checks: AnalysisCheck[]): string {
  const value = shownValue(m, checks) ?? 'no value';
  return `${m.check} ${m.passed ? 'passed' : 'FAILED'}: ${value} (threshold ${m.threshold})${m.detail ? ` ${m.detail}` : ''}`;
}

/** The checks beyond their failure limit, for the failure: name, measured value, threshold. */
export function failingChecks(failing: Measurement[], checks: AnalysisCheck[]): string {
  const failed = failing.map((m) => {
    const shown = shownValue(m, checks);
    const value = shown !== undefined ? `measured ${shown}` : 'no measurement';
    return `${m.check}: ${value} against ${m.threshold}${m.detail ? ` (${m.detail})` : ''}`;
  });
  return failed.join('; ') || 'a check failed';
}
