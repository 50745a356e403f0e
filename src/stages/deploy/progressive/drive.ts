// The progressive rollout loop: set the step's weight, wait an interval, evaluate, judge, keep
// the state, until promote, reject or cancel. Everything that touches the world comes in as a
// port (the canary strategy supplies kubectl and the providers), so the loop is tested with
// fakes and the strategy only says how to route a weight and where the state is kept.
import type { Measurement } from '../analysis/model';
import type { ProgressiveSettings } from './settings';
import { encodeState, STATE_VERSION, type ResumeDecision, type RolloutState } from './state';
import type { EvaluationRecord } from './summary';
import { judgeEvaluation, startProgress, type Verdict } from './verdict';

export interface RolloutPorts {
  now(): Date;
  /** Waits; resolves early when the signal aborts (runner cancel). */
  sleep(seconds: number, signal: AbortSignal): Promise<void>;
  /** Routes `weight` percent to the canary and waits until the router applied it. */
  setWeight(weight: number): Promise<void>;
  evaluate(step: number, weight: number): Promise<Measurement[]>;
  /** Writes the state annotation value onto the canary. */
  saveState(annotation: string): Promise<void>;
  /** After each verdict (a GitHub deployment status per step plugs in here). */
  onVerdict?(verdict: Verdict, record: EvaluationRecord): Promise<void>;
}

export type DriveOutcome = 'promote' | 'reject' | 'cancelled';

export interface DriveResult {
  outcome: DriveOutcome;
  /** This run's evaluations (a resumed run's earlier ones are in the earlier job's summary). */
  evaluations: EvaluationRecord[];
  /** With reject: the measurements beyond their failure limit. */
  failing: Measurement[];
  state: RolloutState;
}

function initialState(
  decision: ResumeDecision,
  digest: string,
  settings: ProgressiveSettings,
  now: Date,
): RolloutState {
  if (decision.action !== 'start') return { ...decision.state };
  const at = now.toISOString();
  return {
    version: STATE_VERSION,
    digest,
    phase: 'progressing',
    weights: settings.plan.weights,
    ...startProgress(),
    startedAt: at,
    stepStartedAt: at,
    updatedAt: at,
  };
}

export async function driveCanary(
  settings: ProgressiveSettings,
  digest: string,
  decision: ResumeDecision,
  ports: RolloutPorts,
  signal: AbortSignal,
): Promise<DriveResult> {
  const { plan } = settings;
  let state = initialState(decision, digest, settings, ports.now());
  const evaluations: EvaluationRecord[] = [];
  const result = (outcome: DriveOutcome, failing: Measurement[] = []): DriveResult => ({
    outcome,
    evaluations,
    failing,
    state,
  });
  const save = async (next: Partial<RolloutState>) => {
    state = { ...state, ...next, updatedAt: ports.now().toISOString() };
    await ports.saveState(encodeState(state));
  };
  if (decision.action === 'finish')
    return result(decision.phase === 'promoting' ? 'promote' : 'reject');

  const started = Date.parse(state.startedAt);
  await ports.setWeight(plan.weights[state.stepIndex]);
  await save({});
  for (;;) {
    await ports.sleep(plan.intervalSeconds, signal);
    if (signal.aborted) return result('cancelled');
    const step = state.stepIndex + 1;
    const weight = plan.weights[state.stepIndex];
    const measurements = await ports.evaluate(step, weight);
    const record = {
      step,
      weight,
      atSeconds: (ports.now().getTime() - started) / 1000,
      measurements,
    };
    evaluations.push(record);
    const judgement = judgeEvaluation(plan, settings.analysis.checks, state, measurements);
    const { verdict, progress } = judgement;
    if (verdict.kind === 'reject') {
      await save({ ...progress, phase: 'rejecting' });
      await ports.onVerdict?.(verdict, record);
      return result('reject', verdict.failing);
    }
    if (verdict.kind === 'promote') {
      await save({ ...progress, phase: 'promoting' });
      await ports.onVerdict?.(verdict, record);
      return result('promote');
    }
    if (verdict.kind === 'step-passed') {
      await ports.setWeight(verdict.nextWeight);
      await save({ ...progress, stepStartedAt: ports.now().toISOString() });
    } else {
      await save(progress);
    }
    await ports.onVerdict?.(verdict, record);
    if (signal.aborted) return result('cancelled');
  }
}
