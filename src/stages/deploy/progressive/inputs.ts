// Reads the progressive-delivery inputs for the deploy stage and checks them against the rest
// of its inputs: steps need a canary that a router weighs (the pod split cannot move traffic
// by weight without resizing), and they replace canary-percentage, which would be ignored.
import type { InputSource } from '../../../inputs';
import { InputError } from '../../../lib/errors';
import type { DeployAction, Strategy, TrafficSplit } from '../model';
import { parseProgressiveSettings, TIMEOUT_INPUT, type ProgressiveSettings } from './settings';
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

export function readProgressive(
  source: InputSource,
  context: ProgressiveContext,
): ProgressiveSettings | undefined {
  const text = (name: string) => source.get(name, { trim: false }).trim();
  const settings = parseProgressiveSettings({
    canarySteps: text(STEPS_INPUT),
    canaryStepDuration: text(STEP_DURATION_INPUT),
    analysisInterval: text(INTERVAL_INPUT),
    analysisQueries: source.get(QUERIES_INPUT, { trim: false }),
    analysisPrometheusUrl: text(PROMETHEUS_URL_INPUT),
    analysisWebhook: text(WEBHOOK_INPUT),
    analysisTimeout: text(TIMEOUT_INPUT),
    baseline: context.baseline,
    // With a baseline as large as the canary, stable keeps the rest.
    maxWeight: context.baseline ? 49 : 99,
  });
  if (!settings) {
    for (const name of [STEP_DURATION_INPUT, INTERVAL_INPUT, TIMEOUT_INPUT]) {
      if (text(name) !== '')
        throw new InputError(name, `applies to canary steps; set ${STEPS_INPUT} or remove ${name}`);
    }
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
