// The job summary of a progressive canary: the per-step table, the measurements that rejected
// it, and the Mermaid chart; text from providers cannot inject HTML or break the table.
import type { AnalysisCheck, Measurement } from '../../../src/stages/deploy/analysis/model';
import { latencyCheck, successCheck } from '../analysis/fixtures';
import { inert } from '../../../src/lib/markdown';
import type { StepPlan } from '../../../src/stages/deploy/progressive/steps';
import {
  chart,
  clock,
  renderProgressiveSummary,
  type EvaluationRecord,
  type ProgressiveReport,
} from '../../../src/stages/deploy/progressive/summary';

const plan: StepPlan = {
  weights: [10, 50],
  stepSeconds: 60,
  intervalSeconds: 30,
  evaluationsPerStep: 2,
};
const success: AnalysisCheck = { ...successCheck, failureLimit: 0 };
const latency: AnalysisCheck = { ...latencyCheck, failureLimit: 0 };
const m = (
  check: string,
  canary: number | undefined,
  passed: boolean,
  detail = '',
): Measurement => ({
  check,
  canary,
  passed,
  detail,
  threshold: check === 'success-rate' ? '≥ 99.00 %' : '≤ 500 ms',
});
const evaluation = (
  step: number,
  weight: number,
  at: number,
  ...measurements: Measurement[]
): EvaluationRecord => ({
  step,
  weight,
  atSeconds: at,
  measurements,
});

const rejected: ProgressiveReport = {
  kind: 'canary',
  plan,
  checks: [success, latency],
  outcome: 'rejected',
  evaluations: [
    evaluation(1, 10, 30, m('success-rate', 99.9, true), m('latency-p95', 0.12, true)),
    evaluation(1, 10, 60, m('success-rate', 100, true), m('latency-p95', 0.11, true)),
    evaluation(
      2,
      50,
      90,
      m('success-rate', 94.87, false, '94.87 % is below 99.00 %'),
      m('latency-p95', 0.13, true),
    ),
  ],
};

describe('renderProgressiveSummary', () => {
  const text = renderProgressiveSummary(rejected);
  const lines = text.split('\n');

  it('heads with the outcome and the plan', () => {
    expect(lines[0]).toBe(
      '**Progressive canary:** rejected · steps 10 % → 50 % · 1:00 per step, analysis every 0:30',
    );
  });

  it('has one row per step: weight, time run, each value against its threshold, the verdict', () => {
    expect(lines.slice(2, 6)).toEqual([
      '| Step | Weight | Ran | success-rate (≥ 99.00 %) | latency-p95 (≤ 500 ms) | Verdict |',
      '| --- | --- | --- | --- | --- | --- |',
      '| 1 | 10 % | 1:00 | 99.90 %, 100.00 % | 120 ms, 110 ms | ✅ passed |',
      '| 2 | 50 % | 0:30 | **94.87 % ✗** | 130 ms | ❌ rejected |',
    ]);
  });

  it('names the failing check with its value and threshold', () => {
    expect(text).toContain(
      '- `success-rate` failed at step 2 (50 %): 94.87 % is below 99.00 % (threshold ≥ 99.00 %)',
    );
  });

  it('draws weight and success rate over time', () => {
    expect(text).toContain(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Canary weight and success rate (%)"',
        '  x-axis "time since start (m:ss)" ["0:30", "1:00", "1:30"]',
        '  y-axis "%" 0 --> 100',
        '  bar [10, 10, 50]',
        '  line [99.9, 100, 94.87]',
        '```',
      ].join('\n'),
    );
  });

  it('shows steps not reached and a running step', () => {
    const running = renderProgressiveSummary({
      ...rejected,
      outcome: 'in progress',
      evaluations: rejected.evaluations.slice(0, 1),
    });
    expect(running).toContain('| 1 | 10 % | 0:30 | 99.90 % | 120 ms | ⏳ running |');
    expect(running).toContain('| 2 | 50 % | – | – | – | – |');
  });

  it('a cancelled step says so', () => {
    const cancelled = renderProgressiveSummary({ ...rejected, outcome: 'cancelled' });
    expect(cancelled).toContain('| 2 | 50 % | 0:30 | **94.87 % ✗** | 130 ms | ⏹ cancelled |');
  });
});

describe('a judged blue-green', () => {
  // Green at 0 % before the switch, then at 100 %: rejected after the switch.
  const blueGreen: ProgressiveReport = {
    kind: 'blue-green',
    plan: { ...plan, weights: [0, 100] },
    checks: [success],
    outcome: 'rejected',
    evaluations: [
      evaluation(1, 0, 30, m('success-rate', undefined, true, 'not judged, no traffic')),
      evaluation(1, 0, 60, m('success-rate', undefined, true, 'not judged, no traffic')),
      evaluation(2, 100, 90, m('success-rate', 80, false, '80.00 % is below 99.00 %')),
    ],
  };
  const text = renderProgressiveSummary(blueGreen);

  it.each([
    [
      'heads with the windows',
      '**Blue-green analysis:** rejected · green judged before and after the switch · 1:00 each, analysis every 0:30',
    ],
    [
      'names the rows by the switch',
      '| before the switch | 0 % | 1:00 | no data, no data | ✅ passed |',
    ],
    [
      'rejects after the switch',
      '| after the switch | 100 % | 0:30 | **80.00 % ✗** | ❌ rejected |',
    ],
    [
      'says where the check failed',
      '- `success-rate` failed after the switch: 80.00 % is below 99.00 % (threshold ≥ 99.00 %)',
    ],
    ['titles the chart by green', '  title "Green\'s weight and success rate (%)"'],
    ['captions the bars by green', "Bars: green's share of traffic."],
  ])('%s', (_name, expected) => {
    expect(text).toContain(expected);
  });
});

describe('chart', () => {
  it('draws no data as 0 and says so', () => {
    const drawn = chart({
      ...rejected,
      evaluations: [
        evaluation(
          1,
          10,
          30,
          m('success-rate', undefined, false, 'no data'),
          m('latency-p95', 0.1, true),
        ),
        evaluation(1, 10, 60, m('success-rate', 99.5, true), m('latency-p95', 0.1, true)),
      ],
    });
    expect(drawn).toContain('  line [0, 99.5]');
    expect(drawn).toContain('(no data drawn as 0)');
  });

  it('without a success-rate check, draws the weight alone', () => {
    const drawn = chart({ ...rejected, checks: [latency] });
    expect(drawn).toContain('  title "Canary weight (%)"');
    expect(drawn).not.toContain('  line');
  });

  it('draws nothing before the first evaluation', () => {
    expect(chart({ ...rejected, evaluations: [] })).toBe('');
  });
});

describe('untrusted text', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
    ['a | b', 'a &#124; b'],
    ['line1\nline2', 'line1 line2'],
    ['[click](http://evil)', '\\[click\\]\\(http:\u200b//evil\\)'],
    ['@org/team', '@\u200borg/team'],
  ])('%j -> %j', (value, escaped) => {
    expect(inert(value)).toBe(escaped);
  });

  it('a hostile provider answer stays one inert table-safe line', () => {
    const hostile = renderProgressiveSummary({
      kind: 'canary',
      plan,
      checks: [success],
      outcome: 'rejected',
      evaluations: [
        evaluation(
          1,
          10,
          30,
          m(
            'success-rate',
            undefined,
            false,
            'webhook answered HTTP 500: <script>x</script> | ## head\n::error::boom',
          ),
        ),
      ],
    });
    expect(hostile).not.toContain('<script>');
    expect(hostile).toContain('&lt;script&gt;x&lt;/script&gt; &#124; \\#\\# head ::error::boom');
    expect(hostile.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(1);
  });
});

it.each([
  [0, '0:00'],
  [59.6, '1:00'],
  [125, '2:05'],
  [3600, '60:00'],
])('clock(%s) = %s', (seconds, text) => {
  expect(clock(seconds)).toBe(text);
});
