// What canary analysis works with: checks (parsed from analysis-queries), the pod sets their
// queries select, one reading of a provider, and a judged measurement.
import type { Fetch } from '../../../lib/http-fetch';

export const ANALYSIS_PROVIDERS = ['prometheus', 'webhook'] as const;
export type AnalysisProviderName = (typeof ANALYSIS_PROVIDERS)[number];

export const BUILTIN_CHECKS = ['success-rate', 'latency-p95'] as const;
export type BuiltinCheck = (typeof BUILTIN_CHECKS)[number];

/** How a value is shown: success rate in percent, latency in seconds (shown as ms), or plain. */
export type CheckUnit = 'percent' | 'seconds' | 'number';

export interface AnalysisCheck {
  name: string;
  provider: AnalysisProviderName;
  /** PromQL with placeholders ({{canary}}, {{stable}}, {{baseline}}, {{namespace}}, {{window}}). */
  query: string;
  builtin?: BuiltinCheck;
  min?: number;
  max?: number;
  /**
   * With canary-baseline: how much worse than the baseline the canary may measure, in the
   * check's own unit. Worse is lower when the check has only a `min`, higher otherwise.
   */
  tolerance?: number;
  higherIsBetter: boolean;
  /** Failed evaluations allowed over the whole rollout; one more rejects. */
  failureLimit: number;
  /** The range a rate in the query looks back over ({{window}}), in seconds. */
  windowSeconds: number;
  unit: CheckUnit;
}

/** PromQL label matchers for each set of pods, as written inside `{...}`. */
export interface PodSelectors {
  namespace: string;
  canary: string;
  stable: string;
  baseline: string;
}

/** The rollout a provider is asked about (the webhook body carries all of it). */
export interface RolloutFacts {
  /** The stable workloads getting a canary, `Deployment/hello-go` each. */
  rollout: string;
  namespace: string;
  /** 1-based step number and the canary's traffic weight in percent at that step. */
  step: number;
  weight: number;
  selectors: PodSelectors;
}

export interface MeasureRequest {
  /** Prometheus base URL, or the webhook URL. */
  url: string;
  /** The query with its placeholders filled (empty for the webhook). */
  query: string;
  check: string;
  timeoutSeconds: number;
  facts: RolloutFacts;
}

/**
 * One answer of a provider. A provider that cannot answer (unreachable, non-2xx, no series)
 * says `failed`: a missing measurement never counts as a pass.
 */
export type Reading =
  | { kind: 'value'; value: number }
  | { kind: 'passed'; detail: string }
  /** `noData`: the provider answered, with nothing to measure (no series, NaN: no traffic). */
  | { kind: 'failed'; reason: string; noData?: boolean };

/** One provider: one short file each, listed in the registry in `index.ts`. */
export interface AnalysisProvider {
  name: AnalysisProviderName;
  /** Never throws: every failure is a `failed` reading. */
  measure(request: MeasureRequest, fetch: Fetch): Promise<Reading>;
}

/** A check's verdict at one evaluation, with what was measured. */
export interface Measurement {
  check: string;
  passed: boolean;
  /** The canary's value (undefined: no value, see `detail`). */
  canary?: number;
  /** The baseline's value, when the check compares with it. */
  baseline?: number;
  /** What the value was judged against, as a person reads it ("≥ 99 %"). */
  threshold: string;
  /** Why it failed, or the webhook's answer. */
  detail: string;
  /** Failed for want of data: the provider answered with no value (see Reading). */
  noData?: boolean;
}
