// A check's verdict from its readings: fixed thresholds, and the baseline comparison
// (canary worse than baseline by at most the tolerance), including no traffic on either side.
import { formatValue, judge, thresholdText } from '../../../src/stages/deploy/analysis/judge';
import type { AnalysisCheck, Reading } from '../../../src/stages/deploy/analysis/model';
import { latencyCheck, successCheck } from './fixtures';

const success = successCheck;
const latency = latencyCheck;
const base = { provider: 'prometheus', query: 'q', failureLimit: 1, windowSeconds: 60 } as const;
const successVsBaseline: AnalysisCheck = { ...success, min: undefined, tolerance: 1 };
const latencyVsBaseline: AnalysisCheck = { ...latency, tolerance: 0.1 };
const value = (v: number): Reading => ({ kind: 'value', value: v });
const noData: Reading = {
  kind: 'failed',
  reason: 'no data (the query returned no series)',
  noData: true,
};

describe('judge against fixed thresholds', () => {
  it.each([
    [success, value(99.5), true, ''],
    [success, value(99), true, ''],
    [success, value(98.99), false, '98.99 % is below 99.00 %'],
    [success, value(NaN), false, 'NaN is below 99.00 %'],
    [success, noData, false, 'no data (the query returned no series)'],
    [latency, value(0.5), true, ''],
    [latency, value(0.73), false, '730 ms is above 500 ms'],
    [latency, value(Infinity), false, '+Inf is above 500 ms'],
    [
      latency,
      { kind: 'failed', reason: 'Prometheus did not answer: connect ECONNREFUSED' } as Reading,
      false,
      'Prometheus did not answer: connect ECONNREFUSED',
    ],
  ])('%#: %s reading %j -> passed %s', (check, reading, passed, detail) => {
    const m = judge(check, reading);
    expect(m.passed).toBe(passed);
    expect(m.detail).toBe(detail);
    expect(m.check).toBe(check.name);
  });
});

// Blue-green does not hold "nothing measured" against green before its switch; it must tell
// that apart from a provider that did not answer.
it.each<[string, Reading, boolean | undefined]>([
  ['no data', noData, true],
  ['no answer', { kind: 'failed', reason: 'Prometheus did not answer' }, undefined],
  ['a value', value(90), undefined],
])('%s: the measurement says noData %j', (_name, reading, flagged) => {
  expect(judge(success, reading).noData).toBe(flagged);
});

describe('judge against the baseline (difference with a tolerance)', () => {
  it.each([
    ['same success rate', successVsBaseline, value(99.8), value(99.8), true],
    ['both perfect', successVsBaseline, value(100), value(100), true],
    ['1 point more errors: at the tolerance', successVsBaseline, value(98.5), value(99.5), true],
    ['1.5 points more errors', successVsBaseline, value(98), value(99.5), false],
    ['canary better than baseline', successVsBaseline, value(100), value(95), true],
    [
      'a baseline with no errors and a canary at 5 %',
      successVsBaseline,
      value(95),
      value(100),
      false,
    ],
    ['no traffic to the canary', successVsBaseline, noData, value(100), false],
    ['no traffic to the baseline', successVsBaseline, value(100), noData, false],
    ['no traffic to either', successVsBaseline, noData, noData, false],
    ['latency 80 ms slower', latencyVsBaseline, value(0.18), value(0.1), true],
    ['latency 150 ms slower', latencyVsBaseline, value(0.25), value(0.1), false],
    ['latency faster', latencyVsBaseline, value(0.05), value(0.1), true],
    ['latency within tolerance but over max', latencyVsBaseline, value(0.55), value(0.5), false],
    ['both infinitely slow', latencyVsBaseline, value(Infinity), value(Infinity), false],
  ])('%s', (_, check, canary, baseline, passed) => {
    expect(judge(check, canary, baseline).passed).toBe(passed);
  });

  it('says what it compared', () => {
    expect(judge(successVsBaseline, value(95), value(99.9))).toEqual({
      check: 'success-rate',
      passed: false,
      canary: 95,
      baseline: 99.9,
      threshold: 'baseline − 1.00 pts',
      detail: "95.00 % is worse than the baseline's 99.90 % by more than 1.00 %",
    });
    expect(judge(successVsBaseline, value(99), noData)).toMatchObject({
      passed: false,
      canary: 99,
      detail: 'baseline: no data (the query returned no series); cannot compare',
    });
  });
});

describe('how values and thresholds read', () => {
  it.each([
    [99.456, 'percent', '99.46 %'],
    [0.2504, 'seconds', '250 ms'],
    [1234.56789, 'number', '1234.57'],
    [-Infinity, 'number', '-Inf'],
  ] as const)('%s %s -> %s', (v, unit, text) => {
    expect(formatValue(v, unit)).toBe(text);
  });

  it.each([
    [success, '≥ 99.00 %'],
    [latencyVsBaseline, '≤ 500 ms, baseline + 100 ms'],
    [
      {
        ...base,
        name: 'n',
        unit: 'number',
        higherIsBetter: false,
        min: 1,
        max: 5,
      } as AnalysisCheck,
      '≥ 1, ≤ 5',
    ],
    [
      {
        ...base,
        name: 'webhook',
        provider: 'webhook',
        unit: 'number',
        higherIsBetter: true,
      } as AnalysisCheck,
      '2xx',
    ],
  ])('%#: %s', (check, text) => {
    expect(thresholdText(check)).toBe(text);
  });
});
