// A check's verdict at one evaluation, from the canary's reading (and the baseline's).
//
// The baseline comparison is a difference with a tolerance, in the check's own unit: the canary
// fails when it is worse than the baseline by more than `tolerance` (for success rate: error
// ratio of the canary minus that of the baseline, in percentage points). Not a ratio: error
// ratios sit near zero, where 0.2 % against 0.1 % is "twice as bad" yet noise, and a baseline
// of 0 makes any ratio infinite; a difference is defined at 0, needs no floor, and its
// tolerance reads in the unit the user already writes min and max in. Fixed min / max still
// apply beside it, as absolute guards. No value on either side fails: nothing to compare is
// not a pass.
import type { AnalysisCheck, CheckUnit, Measurement, Reading } from './model';

/** A value as the summary shows it: percent with two decimals, seconds as ms. */
export function formatValue(value: number, unit: CheckUnit): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (unit === 'percent') return `${value.toFixed(2)} %`;
  if (unit === 'seconds') return `${Math.round(value * 1000)} ms`;
  return String(Number(value.toPrecision(6)));
}

export function thresholdText(check: AnalysisCheck): string {
  if (check.provider === 'webhook') return '2xx';
  const parts: string[] = [];
  if (check.min !== undefined) parts.push(`≥ ${formatValue(check.min, check.unit)}`);
  if (check.max !== undefined) parts.push(`≤ ${formatValue(check.max, check.unit)}`);
  if (check.tolerance !== undefined) {
    const amount = formatValue(check.tolerance, check.unit);
    parts.push(`baseline ${check.higherIsBetter ? '−' : '+'} ${amount}`.replace(' %', ' pts'));
  }
  return parts.join(', ');
}

function failed(
  check: AnalysisCheck,
  detail: string,
  values: Partial<Measurement> = {},
): Measurement {
  return { check: check.name, passed: false, threshold: thresholdText(check), detail, ...values };
}

export function judge(check: AnalysisCheck, canary: Reading, baseline?: Reading): Measurement {
  if (canary.kind === 'failed')
    return failed(check, canary.reason, canary.noData ? { noData: true } : {});
  if (canary.kind === 'passed')
    return {
      check: check.name,
      passed: true,
      threshold: thresholdText(check),
      detail: canary.detail,
    };
  const value = canary.value;
  const show = (v: number) => formatValue(v, check.unit);
  if (check.min !== undefined && !(value >= check.min))
    return failed(check, `${show(value)} is below ${show(check.min)}`, { canary: value });
  if (check.max !== undefined && !(value <= check.max))
    return failed(check, `${show(value)} is above ${show(check.max)}`, { canary: value });
  if (check.tolerance === undefined)
    return {
      check: check.name,
      passed: true,
      threshold: thresholdText(check),
      detail: '',
      canary: value,
    };

  if (!baseline || baseline.kind !== 'value')
    return failed(
      check,
      `baseline: ${baseline?.kind === 'failed' ? baseline.reason : 'no value'}; cannot compare`,
      { canary: value },
    );
  const worseBy = check.higherIsBetter ? baseline.value - value : value - baseline.value;
  const values = { canary: value, baseline: baseline.value };
  // Written so NaN and infinities fail: `!(x <= t)` is true for NaN.
  if (!(worseBy <= check.tolerance + 1e-9))
    return failed(
      check,
      `${show(value)} is worse than the baseline's ${show(baseline.value)} by more than ${show(check.tolerance)}`,
      values,
    );
  return {
    check: check.name,
    passed: true,
    threshold: thresholdText(check),
    detail: '',
    ...values,
  };
}
