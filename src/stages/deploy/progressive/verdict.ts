// The verdict machine of a progressive canary: after each evaluation, continue the step, pass
// it (and move to the next weight), promote after the last, or reject. Failed measurements
// count per check over the whole rollout, not per step: a canary that fails a little at every
// step is as suspect as one that fails a lot at one.
import type { AnalysisCheck, Measurement } from '../analysis/model';
import type { StepPlan } from './steps';

/** Where a rollout stands between evaluations (what the state annotation keeps). */
export interface Progress {
  /** 0-based index into the plan's weights. */
  stepIndex: number;
  /** Evaluations already made in this step. */
  evaluations: number;
  /** Failed evaluations so far, by check name. */
  failures: Record<string, number>;
}

export type Verdict =
  | { kind: 'continue' }
  | { kind: 'step-passed'; step: number; nextWeight: number }
  | { kind: 'promote' }
  | { kind: 'reject'; step: number; failing: Measurement[] };

export interface Judgement {
  verdict: Verdict;
  progress: Progress;
}

export function startProgress(): Progress {
  return { stepIndex: 0, evaluations: 0, failures: {} };
}

export function judgeEvaluation(
  plan: StepPlan,
  checks: AnalysisCheck[],
  progress: Progress,
  measurements: Measurement[],
): Judgement {
  const failures = { ...progress.failures };
  for (const m of measurements) if (!m.passed) failures[m.check] = (failures[m.check] ?? 0) + 1;
  const limits = new Map(checks.map((check) => [check.name, check.failureLimit]));
  // A measurement of a check the spec no longer has (a resumed state) is held to no failures.
  const beyond = measurements.filter(
    (m) => !m.passed && failures[m.check] > (limits.get(m.check) ?? 0),
  );
  if (beyond.length > 0)
    return {
      verdict: { kind: 'reject', step: progress.stepIndex + 1, failing: beyond },
      progress: { ...progress, evaluations: progress.evaluations + 1, failures },
    };
  const evaluations = progress.evaluations + 1;
  if (evaluations < plan.evaluationsPerStep)
    return { verdict: { kind: 'continue' }, progress: { ...progress, evaluations, failures } };
  const next = progress.stepIndex + 1;
  if (next >= plan.weights.length)
    return {
      verdict: { kind: 'promote' },
      progress: { stepIndex: next, evaluations: 0, failures },
    };
  return {
    verdict: { kind: 'step-passed', step: next, nextWeight: plan.weights[next] },
    progress: { stepIndex: next, evaluations: 0, failures },
  };
}
