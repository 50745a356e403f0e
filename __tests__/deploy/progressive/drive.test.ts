// The rollout loop with fake ports: the weights it routes, the state it keeps after every
// evaluation, and where it stops (promote, reject, cancel, a resumed or cut-off run).
import type { Measurement } from '../../../src/stages/deploy/analysis/model';
import { driveCanary, type RolloutPorts } from '../../../src/stages/deploy/progressive/drive';
import type { ProgressiveSettings } from '../../../src/stages/deploy/progressive/settings';
import {
  decideResume,
  decodeState,
  type RolloutState,
} from '../../../src/stages/deploy/progressive/state';
import { successCheck } from '../analysis/fixtures';

const settings: ProgressiveSettings = {
  plan: { weights: [10, 50], stepSeconds: 60, intervalSeconds: 30, evaluationsPerStep: 2 },
  analysis: {
    checks: [{ ...successCheck, failureLimit: 0 }],
    prometheusUrl: 'http://p',
    webhookUrl: '',
  },
  timeoutSeconds: 5,
};
const ok: Measurement = {
  check: 'success-rate',
  passed: true,
  canary: 99.9,
  threshold: '≥ 99.00 %',
  detail: '',
};
const bad: Measurement = {
  check: 'success-rate',
  passed: false,
  canary: 94,
  threshold: '≥ 99.00 %',
  detail: '94.00 % is below 99.00 %',
};

/** Fake ports: a clock the sleeps advance, and a log of what the loop did. */
function fakes(results: Measurement[][], options: { abortAfterSleeps?: number } = {}) {
  let clock = Date.parse('2026-12-01T21:00:00Z');
  const log: string[] = [];
  const states: RolloutState[] = [];
  const controller = new AbortController();
  let sleeps = 0;
  const ports: RolloutPorts = {
    now: () => new Date(clock),
    sleep: async (seconds) => {
      sleeps += 1;
      if (options.abortAfterSleeps !== undefined && sleeps > options.abortAfterSleeps) {
        controller.abort();
        return;
      }
      clock += seconds * 1000;
    },
    setWeight: async (weight) => void log.push(`weight ${weight}`),
    evaluate: async (step, weight) => {
      log.push(`evaluate step ${step} at ${weight}`);
      return results.shift() ?? [ok];
    },
    saveState: async (annotation) => {
      const state = decodeState(annotation);
      if ('unreadable' in state) throw new Error(state.unreadable);
      states.push(state);
    },
    onVerdict: async (verdict) => void log.push(`verdict ${verdict.kind}`),
  };
  return { ports, log, states, signal: controller.signal };
}

const start = decideResume(undefined, { digest: 'sha256:new', weights: [10, 50], now: new Date() });

it('a healthy canary walks every step and promotes', async () => {
  const f = fakes([]);
  const result = await driveCanary(settings, 'sha256:new', start, f.ports, f.signal);
  expect(result.outcome).toBe('promote');
  expect(f.log).toEqual([
    'weight 10',
    'evaluate step 1 at 10',
    'verdict continue',
    'evaluate step 1 at 10',
    'weight 50',
    'verdict step-passed',
    'evaluate step 2 at 50',
    'verdict continue',
    'evaluate step 2 at 50',
    'verdict promote',
  ]);
  expect(result.evaluations.map((e) => [e.step, e.weight, e.atSeconds])).toEqual([
    [1, 10, 30],
    [1, 10, 60],
    [2, 50, 90],
    [2, 50, 120],
  ]);
  expect(result.state).toMatchObject({ phase: 'promoting', stepIndex: 2, digest: 'sha256:new' });
});

it('a failing canary is rejected with the failing measurement, and the state says rejecting', async () => {
  const f = fakes([[ok], [bad]]);
  const result = await driveCanary(settings, 'sha256:new', start, f.ports, f.signal);
  expect(result.outcome).toBe('reject');
  expect(result.failing).toEqual([bad]);
  expect(f.log).not.toContain('weight 50');
  expect(f.states[f.states.length - 1]).toMatchObject({
    phase: 'rejecting',
    failures: { 'success-rate': 1 },
  });
});

it('keeps the state after every evaluation, so a cancelled job can be resumed', async () => {
  const f = fakes([], { abortAfterSleeps: 2 });
  const result = await driveCanary(settings, 'sha256:new', start, f.ports, f.signal);
  expect(result.outcome).toBe('cancelled');
  const last = f.states[f.states.length - 1];
  expect(last).toMatchObject({
    phase: 'progressing',
    stepIndex: 1,
    evaluations: 0,
    weights: [10, 50],
  });

  // The re-run resumes at step 2 and needs only that step's two evaluations.
  const rerun = fakes([]);
  const decision = decideResume(JSON.stringify(last), {
    digest: 'sha256:new',
    weights: [10, 50],
    now: new Date('2026-12-01T21:05:00Z'),
  });
  expect(decision.action).toBe('resume');
  const resumed = await driveCanary(settings, 'sha256:new', decision, rerun.ports, rerun.signal);
  expect(resumed.outcome).toBe('promote');
  expect(rerun.log.filter((line) => line.startsWith('weight'))).toEqual(['weight 50']);
  expect(resumed.evaluations.map((e) => e.step)).toEqual([2, 2]);
  expect(resumed.state.startedAt).toBe(last.startedAt);
});

it('a run cut off while promoting finishes the promote without routing or evaluating', async () => {
  const first = fakes([]);
  const { state } = await driveCanary(settings, 'sha256:new', start, first.ports, first.signal);
  const f = fakes([]);
  const decision = decideResume(JSON.stringify(state), {
    digest: 'sha256:new',
    weights: [10, 50],
    now: new Date('2026-12-01T21:10:00Z'),
  });
  const result = await driveCanary(settings, 'sha256:new', decision, f.ports, f.signal);
  expect(result.outcome).toBe('promote');
  expect(f.log).toEqual([]);
});
