// The verdict machine: evaluations in, continue / step passed / promote / reject out, with
// failures counted per check over the whole rollout against each check's limit.
import type { AnalysisCheck, Measurement } from '../../../src/stages/deploy/analysis/model';
import { successCheck } from '../analysis/fixtures';
import type { StepPlan } from '../../../src/stages/deploy/progressive/steps';
import {
  judgeEvaluation,
  startProgress,
  type Progress,
  type Verdict,
} from '../../../src/stages/deploy/progressive/verdict';

const plan: StepPlan = {
  weights: [10, 50],
  stepSeconds: 90,
  intervalSeconds: 30,
  evaluationsPerStep: 3,
};
const check = (name: string, failureLimit: number): AnalysisCheck => ({
  ...successCheck,
  name,
  failureLimit,
});
const checks = [check('success-rate', 1), check('strict', 0)];
const ok = (name: string): Measurement => ({
  check: name,
  passed: true,
  canary: 99.9,
  threshold: '≥ 99 %',
  detail: '',
});
const bad = (name: string): Measurement => ({
  check: name,
  passed: false,
  canary: 95,
  threshold: '≥ 99 %',
  detail: '95.00 % is below 99.00 %',
});
const good = [ok('success-rate'), ok('strict')];

/** Runs evaluations through the machine, returning every verdict's kind. */
function run(evaluations: Measurement[][], from: Progress = startProgress()) {
  let progress = from;
  const verdicts: Verdict[] = [];
  for (const measurements of evaluations) {
    const judgement = judgeEvaluation(plan, checks, progress, measurements);
    verdicts.push(judgement.verdict);
    progress = judgement.progress;
    if (judgement.verdict.kind === 'reject' || judgement.verdict.kind === 'promote') break;
  }
  return { kinds: verdicts.map((v) => v.kind), last: verdicts[verdicts.length - 1], progress };
}

describe('judgeEvaluation', () => {
  it.each([
    [
      'all good: two steps of three, then promote',
      [good, good, good, good, good, good],
      ['continue', 'continue', 'step-passed', 'continue', 'continue', 'promote'],
    ],
    [
      'one failure within the limit',
      [[bad('success-rate'), ok('strict')], good, good],
      ['continue', 'continue', 'step-passed'],
    ],
    [
      'a second failure in the next step exceeds the limit (counted over the rollout)',
      [[bad('success-rate'), ok('strict')], good, good, [bad('success-rate'), ok('strict')]],
      ['continue', 'continue', 'step-passed', 'reject'],
    ],
    [
      'a check with limit 0 rejects at its first failure',
      [[ok('success-rate'), bad('strict')]],
      ['reject'],
    ],
    [
      'two failures in a row reject within the step',
      [
        [bad('success-rate'), ok('strict')],
        [bad('success-rate'), ok('strict')],
      ],
      ['continue', 'reject'],
    ],
    [
      'no checks at all: steps pass on time',
      [[], [], [], [], [], []],
      ['continue', 'continue', 'step-passed', 'continue', 'continue', 'promote'],
    ],
  ])('%s', (_, evaluations, kinds) => {
    expect(run(evaluations).kinds).toEqual(kinds);
  });

  it('a step passing names the step and the next weight', () => {
    const { last, progress } = run([good, good, good]);
    expect(last).toEqual({ kind: 'step-passed', step: 1, nextWeight: 50 });
    expect(progress).toEqual({ stepIndex: 1, evaluations: 0, failures: {} });
  });

  it('a reject names the step and the failing measurements beyond their limit', () => {
    const { last, progress } = run([good, good, good, [bad('success-rate'), bad('strict')]]);
    expect(last).toEqual({ kind: 'reject', step: 2, failing: [bad('strict')] });
    expect(progress.failures).toEqual({ 'success-rate': 1, strict: 1 });
  });

  it('continues from a resumed progress, failures included', () => {
    const resumed: Progress = { stepIndex: 1, evaluations: 2, failures: { 'success-rate': 1 } };
    expect(run([good], resumed).kinds).toEqual(['promote']);
    expect(run([[bad('success-rate'), ok('strict')]], resumed).kinds).toEqual(['reject']);
  });

  it('a failed measurement of a check no longer in the spec rejects (held to no failures)', () => {
    expect(run([[...good, bad('gone')]]).kinds).toEqual(['reject']);
  });
});
