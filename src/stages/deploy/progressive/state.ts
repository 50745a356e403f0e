// The rollout's state, kept as an annotation on the canary so a re-run or a cancelled job's
// successor picks up where it stopped, and the decision a re-run takes from it:
//
// - no state, or one Gantry cannot read          -> start
// - same digest, same steps, progressing, fresh  -> resume at the step (evaluations and
//   failures kept: the time a cancelled job spent unobserved counts for nothing)
// - same digest, promoting or rejecting          -> finish that (it was cut off halfway)
// - another digest                               -> start over. The new image supersedes the
//   canary under analysis, and starting over puts the canary back at the first, smallest
//   weight: less traffic on unjudged code, never more. Refusing would block every push
//   made while a canary runs.
// - same digest, other steps, or a state older than maxAge -> start over, saying why
//   (its counts belong to another plan, or to traffic long gone).
import type { Progress } from './verdict';

export const STATE_ANNOTATION = 'gantry.dev/progressive-state';
export const STATE_VERSION = 1;
export const DEFAULT_MAX_AGE_SECONDS = 24 * 3600;

export type RolloutPhase = 'progressing' | 'promoting' | 'rejecting';

export interface RolloutState extends Progress {
  version: typeof STATE_VERSION;
  /** The canary's image digest(s), joined: what the analysis is about. */
  digest: string;
  phase: RolloutPhase;
  weights: number[];
  /** ISO times: the rollout's start, the current step's start, the last write. */
  startedAt: string;
  stepStartedAt: string;
  updatedAt: string;
}

export function encodeState(state: RolloutState): string {
  const { version, digest, phase, weights, stepIndex, evaluations, failures } = state;
  return JSON.stringify({
    version,
    digest,
    phase,
    weights,
    stepIndex,
    evaluations,
    failures,
    startedAt: state.startedAt,
    stepStartedAt: state.stepStartedAt,
    updatedAt: state.updatedAt,
  });
}

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const isTime = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** The state in an annotation value, or why it cannot be used. Never throws. */
export function decodeState(text: string | undefined): RolloutState | { unreadable: string } {
  if (text === undefined || text === '') return { unreadable: 'no state' };
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unreadable: 'the state annotation is not JSON' };
  }
  if (!value || typeof value !== 'object')
    return { unreadable: 'the state annotation is not an object' };
  if (value.version !== STATE_VERSION)
    return { unreadable: `state version ${JSON.stringify(value.version)} is not ${STATE_VERSION}` };
  const weights = value.weights;
  const failures = value.failures as Record<string, unknown> | undefined;
  const valid =
    typeof value.digest === 'string' &&
    ['progressing', 'promoting', 'rejecting'].includes(value.phase as string) &&
    Array.isArray(weights) &&
    weights.every((w) => Number.isInteger(w)) &&
    isCount(value.stepIndex) &&
    (value.stepIndex as number) <= weights.length &&
    isCount(value.evaluations) &&
    !!failures &&
    typeof failures === 'object' &&
    Object.values(failures).every(isCount) &&
    isTime(value.startedAt) &&
    isTime(value.stepStartedAt) &&
    isTime(value.updatedAt);
  if (!valid) return { unreadable: 'the state annotation is missing fields or has wrong ones' };
  return value as unknown as RolloutState;
}

export interface ResumeInput {
  digest: string;
  weights: number[];
  now: Date;
  maxAgeSeconds?: number;
}

export type ResumeDecision =
  | { action: 'start'; reason: string }
  | { action: 'resume'; state: RolloutState; reason: string }
  | { action: 'finish'; phase: 'promoting' | 'rejecting'; state: RolloutState; reason: string };

export function decideResume(annotation: string | undefined, input: ResumeInput): ResumeDecision {
  const state = decodeState(annotation);
  if ('unreadable' in state)
    return {
      action: 'start',
      reason:
        state.unreadable === 'no state' ? 'new rollout' : `${state.unreadable}: starting over`,
    };
  if (state.digest !== input.digest)
    return {
      action: 'start',
      reason: `the canary ran ${state.digest}; ${input.digest} starts over at the first step`,
    };
  if (state.phase !== 'progressing')
    return {
      action: 'finish',
      phase: state.phase,
      state,
      reason: `the previous run stopped while ${state.phase}; finishing it`,
    };
  if (state.weights.join(',') !== input.weights.join(','))
    return {
      action: 'start',
      reason: `canary-steps changed from ${state.weights.join(',')} to ${input.weights.join(',')}: starting over`,
    };
  const ageSeconds = (input.now.getTime() - Date.parse(state.updatedAt)) / 1000;
  const maxAge = input.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (ageSeconds > maxAge)
    return {
      action: 'start',
      reason: `the state is ${Math.round(ageSeconds / 3600)} h old (at most ${Math.round(maxAge / 3600)} h): starting over`,
    };
  if (state.stepIndex >= state.weights.length)
    // Every step passed but the promote never started: promote now.
    return {
      action: 'finish',
      phase: 'promoting',
      state,
      reason: 'every step had passed; promoting',
    };
  return {
    action: 'resume',
    state,
    reason: `resuming at step ${state.stepIndex + 1} of ${state.weights.length} (${state.weights[state.stepIndex]} %), ${state.evaluations} analysis(es) in`,
  };
}
