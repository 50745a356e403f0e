// One evaluation: every check asked of its provider (the canary, and the baseline when the
// check compares with it), judged. Checks run one after another: a handful of small queries,
// and an unreachable Prometheus then costs each check its own timeout, reported per check.
import type { Fetch } from '../../../lib/http-fetch';
import { providerFor } from './index';
import { judge } from './judge';
import type { AnalysisCheck, Measurement, Reading, RolloutFacts } from './model';
import { fillQuery, placeholderValues } from './selectors';
import type { AnalysisSpec } from './spec';

export interface EvaluateOptions {
  spec: AnalysisSpec;
  facts: RolloutFacts;
  timeoutSeconds: number;
  fetch: Fetch;
}

async function read(
  check: AnalysisCheck,
  options: EvaluateOptions,
  canaryAs: 'canary' | 'baseline',
): Promise<Reading> {
  const values = placeholderValues(options.facts.selectors, check.windowSeconds);
  return providerFor(check.provider).measure(
    {
      url: check.provider === 'webhook' ? options.spec.webhookUrl : options.spec.prometheusUrl,
      query: fillQuery(check.query, values, canaryAs),
      check: check.name,
      timeoutSeconds: options.timeoutSeconds,
      facts: options.facts,
    },
    options.fetch,
  );
}

export async function evaluateChecks(options: EvaluateOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const check of options.spec.checks) {
    const canary = await read(check, options, 'canary');
    const baseline =
      check.tolerance !== undefined ? await read(check, options, 'baseline') : undefined;
    measurements.push(judge(check, canary, baseline));
  }
  return measurements;
}
