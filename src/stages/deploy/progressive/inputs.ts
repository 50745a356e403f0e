// Reads the progressive-delivery inputs for the deploy stage and checks them against the rest
// of its inputs: steps need a canary that a router weighs (the pod split cannot move traffic
// by weight without resizing), and they replace canary-percentage, which would be ignored.
// Blue-green takes the analysis inputs without steps: green is judged before and after the
// switch.
import type { InputSource } from '../../../inputs';
import { InputError } from '../../../lib/errors';
import type { DeployAction, Strategy, TrafficSplit } from '../model';
import {
  givenAnalysisInput,
  parseBlueGreenAnalysis,
  parseProgressiveSettings,
  TIMEOUT_INPUT,
  type BlueGreenAnalysisText,
  type ProgressiveSettings,
} from './settings';
import { INTERVAL_INPUT, STEP_DURATION_INPUT, STEPS_INPUT } from './steps';
import { PROMETHEUS_URL_INPUT, QUERIES_INPUT, WEBHOOK_INPUT } from '../analysis/spec';

export interface ProgressiveContext {
  strategy: Strategy;
  action: DeployAction;
  trafficSplit: TrafficSplit;
  baseline: boolean;
  /** canary-percentage (or k8s-deploy's percentage) as given, to refuse it beside steps. */
  percentageGiven: { name: string; value: string };
}

const ROUTED_SPLITS: TrafficSplit[] = ['gateway-api', 'ingress-nginx', 'smi'];
const TIMING_INPUTS = [STEP_DURATION_INPUT, INTERVAL_INPUT, TIMEOUT_INPUT];

function readBlueGreenAnalysis(
  text: (name: string) => string,
  analysisText: BlueGreenAnalysisText,
  action: DeployAction,
): ProgressiveSettings | undefined {
  if (text(STEPS_INPUT) !== '')
    throw new InputError(
      STEPS_INPUT,
      `needs strategy: canary (strategy is blue-green, which moves all traffic at once); to judge green before and after its switch, set ${QUERIES_INPUT} or ${WEBHOOK_INPUT} and remove ${STEPS_INPUT}`,
    );
  const given = givenAnalysisInput(analysisText);
  if (!given) {
    const timing = TIMING_INPUTS.find((name) => text(name) !== '');
    if (timing)
      throw new InputError(
        timing,
        `times the analysis, and none is set; add ${QUERIES_INPUT} (with ${PROMETHEUS_URL_INPUT}) or ${WEBHOOK_INPUT}, or remove ${timing}`,
      );
    return undefined;
  }
  if (action !== 'deploy')
    throw new InputError(
      given,
      `judges green while deploy-action: deploy switches to it; remove ${given} to ${action} by hand`,
    );
  return parseBlueGreenAnalysis(analysisText);
}

export function readProgressive(
  source: InputSource,
  context: ProgressiveContext,
): ProgressiveSettings | undefined {
  const text = (name: string) => source.get(name, { trim: false }).trim();
  const analysisText: BlueGreenAnalysisText = {
    canaryStepDuration: text(STEP_DURATION_INPUT),
    analysisInterval: text(INTERVAL_INPUT),
    analysisQueries: source.get(QUERIES_INPUT, { trim: false }),
    analysisPrometheusUrl: text(PROMETHEUS_URL_INPUT),
    analysisWebhook: text(WEBHOOK_INPUT),
    analysisTimeout: text(TIMEOUT_INPUT),
  };
  if (context.strategy === 'blue-green')
    return readBlueGreenAnalysis(text, analysisText, context.action);
  const settings = parseProgressiveSettings({
    ...analysisText,
    canarySteps: text(STEPS_INPUT),
    baseline: context.baseline,
    // With a baseline as large as the canary, stable keeps the rest.
    maxWeight: context.baseline ? 49 : 99,
  });
  if (!settings) {
    const timing = TIMING_INPUTS.find((name) => text(name) !== '');
    if (timing)
      throw new InputError(
        timing,
        `applies to canary steps; set ${STEPS_INPUT} (or strategy: blue-green with analysis) or remove ${timing}`,
      );
    return undefined;
  }
  if (context.strategy !== 'canary')
    throw new InputError(STEPS_INPUT, `needs strategy: canary (strategy is ${context.strategy})`);
  if (context.action !== 'deploy')
    throw new InputError(
      STEPS_INPUT,
      `steps run with deploy-action: deploy, which promotes or rejects by itself; remove ${STEPS_INPUT} to ${context.action} a canary by hand`,
    );
  if (!ROUTED_SPLITS.includes(context.trafficSplit))
    throw new InputError(
      STEPS_INPUT,
      `needs a router to set each step's weight: traffic-split ${ROUTED_SPLITS.join(', ')} (not ${context.trafficSplit})`,
    );
  if (context.percentageGiven.value !== '')
    throw new InputError(
      context.percentageGiven.name,
      `${STEPS_INPUT} sets the canary's weight at each step; remove ${context.percentageGiven.name}`,
    );
  return settings;
}
