// The step plan of a progressive rollout: the traffic weights it walks through, how long each
// step runs, and how often the analysis looks during a step. A canary's weights come from
// canary-steps; a judged blue-green has two fixed steps, green at 0 % and then at 100 %.
import { parseDuration } from '../../../lib/duration';
import { InputError } from '../../../lib/errors';

export const STEPS_INPUT = 'canary-steps';
export const STEP_DURATION_INPUT = 'canary-step-duration';
export const INTERVAL_INPUT = 'analysis-interval';
export const DEFAULT_STEP_DURATION = '2m';
export const DEFAULT_INTERVAL = '30s';

export interface StepPlanText {
  steps: string;
  stepDuration: string;
  interval: string;
  /** The highest weight the traffic split allows (49 with a routed baseline, else 99). */
  maxWeight?: number;
}

/** Blue-green's two steps: green judged before the switch (0 %), then after it (100 %). */
export const BLUE_GREEN_WEIGHTS: readonly number[] = [0, 100];

export interface StepPlan {
  /** The new version's traffic percentages, strictly increasing; after the last, promote. */
  weights: number[];
  stepSeconds: number;
  intervalSeconds: number;
  /** Analyses per step: the step's duration over the interval, whole. */
  evaluationsPerStep: number;
}

/** `10,25,50` (commas or spaces, an optional % each). Empty text: no steps. */
export function parseCanarySteps(text: string, maxWeight = 99): number[] {
  if (text.trim() === '') return [];
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  const weights = items.map((item) => {
    const match = /^(\d+)%?$/.exec(item);
    const weight = match ? Number(match[1]) : NaN;
    if (!(weight >= 1 && weight <= maxWeight))
      throw new InputError(
        STEPS_INPUT,
        `"${item}" is not a traffic percentage from 1 to ${maxWeight}; write the steps like 10,25,50`,
      );
    return weight;
  });
  weights.forEach((weight, index) => {
    if (index > 0 && weight <= weights[index - 1])
      throw new InputError(
        STEPS_INPUT,
        `${weight} after ${weights[index - 1]}: each step must send the canary more traffic than the one before`,
      );
  });
  return weights;
}

function readSeconds(text: string, fallback: string, input: string): number {
  const seconds = parseDuration(text || fallback);
  if (seconds === undefined || seconds <= 0)
    throw new InputError(input, `"${text}" is not a duration like 30s, 2m or 1h`);
  return seconds;
}

/** A plan through these weights, each step timed by canary-step-duration and analysis-interval. */
export function timedPlan(weights: readonly number[], text: Omit<StepPlanText, 'steps'>): StepPlan {
  const stepSeconds = readSeconds(text.stepDuration, DEFAULT_STEP_DURATION, STEP_DURATION_INPUT);
  const intervalSeconds = readSeconds(text.interval, DEFAULT_INTERVAL, INTERVAL_INPUT);
  if (intervalSeconds > stepSeconds)
    throw new InputError(
      INTERVAL_INPUT,
      `${text.interval} is longer than ${STEP_DURATION_INPUT} (${text.stepDuration || DEFAULT_STEP_DURATION}); a step would end before its first analysis`,
    );
  return {
    weights: [...weights],
    stepSeconds,
    intervalSeconds,
    evaluationsPerStep: Math.floor(stepSeconds / intervalSeconds + 1e-9),
  };
}

/** The plan, or undefined when canary-steps is unset (the manual canary of today). */
export function parseStepPlan(text: StepPlanText): StepPlan | undefined {
  const weights = parseCanarySteps(text.steps, text.maxWeight);
  if (weights.length === 0) return undefined;
  return timedPlan(weights, text);
}
