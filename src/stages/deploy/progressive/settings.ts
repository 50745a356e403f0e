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
import { BLUE_GREEN_WEIGHTS, parseStepPlan, STEPS_INPUT, timedPlan, type StepPlan } from './steps';

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

/** What a judged blue-green reads: no steps of its own, no baseline. */
export type BlueGreenAnalysisText = Omit<ProgressiveText, 'canarySteps' | 'baseline' | 'maxWeight'>;

export interface ProgressiveSettings {
  plan: StepPlan;
  analysis: AnalysisSpec;
  /** How long one provider call may take. */
  timeoutSeconds: number;
}

/** The first analysis input given (the one that asks for a judged rollout), if any. */
export function givenAnalysisInput(text: BlueGreenAnalysisText): string | undefined {
  const given = [
    [QUERIES_INPUT, text.analysisQueries],
    [PROMETHEUS_URL_INPUT, text.analysisPrometheusUrl],
    [WEBHOOK_INPUT, text.analysisWebhook],
  ].find(([, value]) => value.trim() !== '');
  return given?.[0];
}

function readTimeout(text: string): number | undefined {
  const timeout = text === '' ? undefined : parseDuration(text);
  if (text !== '' && !((timeout ?? 0) > 0))
    throw new InputError(TIMEOUT_INPUT, `"${text}" is not a duration like 10s`);
  return timeout;
}

function withAnalysis(
  plan: StepPlan,
  text: BlueGreenAnalysisText,
  baseline: boolean,
  timeout: number | undefined,
): ProgressiveSettings {
  const analysis = parseAnalysisSpec({
    queries: text.analysisQueries,
    prometheusUrl: text.analysisPrometheusUrl,
    webhook: text.analysisWebhook,
    baseline,
  });
  if (timeout !== undefined && timeout > plan.intervalSeconds)
    throw new InputError(
      TIMEOUT_INPUT,
      `${text.analysisTimeout} is longer than analysis-interval; one analysis would run into the next`,
    );
  const timeoutSeconds = timeout ?? Math.min(DEFAULT_TIMEOUT_SECONDS, plan.intervalSeconds);
  return { plan, analysis, timeoutSeconds };
}

/** The settings, or undefined when canary-steps is unset (today's manual canary). */
export function parseProgressiveSettings(text: ProgressiveText): ProgressiveSettings | undefined {
  const plan = parseStepPlan({
    steps: text.canarySteps,
    stepDuration: text.canaryStepDuration,
    interval: text.analysisInterval,
    maxWeight: text.maxWeight,
  });
  const timeout = readTimeout(text.analysisTimeout);
  if (!plan) {
    // Analysis only runs at steps: an analysis input without steps would be ignored.
    const given = givenAnalysisInput(text);
    if (given)
      throw new InputError(
        given,
        `analysis runs at each canary step; set ${STEPS_INPUT} (e.g. 10,25,50), or strategy: blue-green to judge green around its switch, or leave ${given} empty`,
      );
    return undefined;
  }
  return withAnalysis(plan, text, text.baseline, timeout);
}

/**
 * A judged blue-green: green at 0 % for one step (canary-step-duration), the switch, green at
 * 100 % for one more. Undefined when no analysis input is given (the unjudged switch).
 */
export function parseBlueGreenAnalysis(
  text: BlueGreenAnalysisText,
): ProgressiveSettings | undefined {
  if (!givenAnalysisInput(text)) return undefined;
  const plan = timedPlan(BLUE_GREEN_WEIGHTS, {
    stepDuration: text.canaryStepDuration,
    interval: text.analysisInterval,
  });
  return withAnalysis(plan, text, false, readTimeout(text.analysisTimeout));
}
