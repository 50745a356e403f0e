// The two checks a user gets without writing PromQL: request success rate (percent of requests
// not answered 5xx) and p95 latency (seconds), over the canary's pods. Metric and label names
// default to the example service's and the common client libraries'; an entry may rename them.
import type { BuiltinCheck, CheckUnit } from './model';

export interface BuiltinOptions {
  /** success-rate: the request counter; latency-p95: the histogram (without `_bucket`). */
  metric?: string;
  /** success-rate: the label holding the status code. */
  codeLabel?: string;
}

export interface BuiltinDefinition {
  unit: CheckUnit;
  higherIsBetter: boolean;
  /** With canary-baseline and no tolerance given. */
  defaultTolerance: number;
  query(options: BuiltinOptions): string;
}

export const BUILTINS: Record<BuiltinCheck, BuiltinDefinition> = {
  'success-rate': {
    unit: 'percent',
    higherIsBetter: true,
    // One percentage point more errors than the baseline.
    defaultTolerance: 1,
    query: ({ metric = 'http_requests_total', codeLabel = 'code' }) =>
      `100 * sum(rate(${metric}{ {{canary}},${codeLabel}!~"5.." }[{{window}}])) / sum(rate(${metric}{ {{canary}} }[{{window}}]))`,
  },
  'latency-p95': {
    unit: 'seconds',
    higherIsBetter: false,
    // 100 ms slower than the baseline at the 95th percentile.
    defaultTolerance: 0.1,
    query: ({ metric = 'http_request_duration_seconds' }) =>
      `histogram_quantile(0.95, sum by (le) (rate(${metric}_bucket{ {{canary}} }[{{window}}])))`,
  },
};
