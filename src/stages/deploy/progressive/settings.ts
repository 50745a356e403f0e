// Every progressive-delivery input in one typed value, for the deploy inputs to hold: the step
// plan and the analysis spec, checked together. Takes the raw texts (the deploy stage's
// inputs.ts reads them), so this file reads no input itself.
import { parseDuration } from '../../../lib/duration';
import { InputError } from '../../../lib/errors';
import {
  parseAnalysisSpec,
  PROMETHEUS_URL_INPUT,
  QUERIES_INPUT,
  WEBHOOK_INPUT,
  type AnalysisSpec,
} from '../analysis/spec';
import { parseStepPlan, STEPS_INPUT, type StepPlan } from './steps';

export const TIMEOUT_INPUT = 'analysis-timeout';
/** A provider call's timeout unless set: 10 s, or the interval when that is shorter. */
export const DEFAULT_TIMEOUT_SECONDS = 10;

export interface ProgressiveText {
  canarySteps: string;
  canaryStepDuration: string;
  analysisInterval: string;
  analysisQueries: string;
  analysisPrometheusUrl: string;
  analysisWebhook: string;
  analysisTimeout: string;
  /** Parsed deploy inputs the plan depends on. */
  baseline: boolean;
  maxWeight: number;
}

export interface ProgressiveSettings {
  plan: StepPlan;
  analysis: AnalysisSpec;
  /** How long one provider call may take. */
  timeoutSeconds: number;
}

/** The settings, or undefined when canary-steps is unset (today's manual canary). */
export function parseProgressiveSettings(text: ProgressiveText): ProgressiveSettings | undefined {
  const plan = parseStepPlan({
    steps: text.canarySteps,
    stepDuration: text.canaryStepDuration,
    interval: text.analysisInterval,
    maxWeight: text.maxWeight,
  });
  const timeout = text.analysisTimeout === '' ? undefined : parseDuration(text.analysisTimeout);
  if (text.analysisTimeout !== '' && !((timeout ?? 0) > 0))
    throw new InputError(TIMEOUT_INPUT, `"${text.analysisTimeout}" is not a duration like 10s`);
  if (!plan) {
    // Analysis only runs at steps: an analysis input without steps would be ignored.
    const given = [
      [QUERIES_INPUT, text.analysisQueries],
      [PROMETHEUS_URL_INPUT, text.analysisPrometheusUrl],
      [WEBHOOK_INPUT, text.analysisWebhook],
    ].find(([, value]) => value.trim() !== '');
    if (given)
      throw new InputError(
        given[0],
        `analysis runs at each canary step; set ${STEPS_INPUT} (e.g. 10,25,50) or leave ${given[0]} empty`,
      );
    return undefined;
  }
  const analysis = parseAnalysisSpec({
    queries: text.analysisQueries,
    prometheusUrl: text.analysisPrometheusUrl,
    webhook: text.analysisWebhook,
    baseline: text.baseline,
  });
  if (timeout !== undefined && timeout > plan.intervalSeconds)
    throw new InputError(
      TIMEOUT_INPUT,
      `${text.analysisTimeout} is longer than analysis-interval; one analysis would run into the next`,
    );
  const timeoutSeconds = timeout ?? Math.min(DEFAULT_TIMEOUT_SECONDS, plan.intervalSeconds);
  return { plan, analysis, timeoutSeconds };
}
