// The job summary of a progressive rollout (a canary's steps, or a judged blue-green's two:
// before and after the switch): one table row per step (weight, how long it ran, each check's
// values against its threshold, the verdict), the measurements that rejected it, and a Mermaid
// chart of weight and success rate over time, which GitHub draws.
import { formatValue, thresholdText } from '../analysis/judge';
import type { AnalysisCheck, Measurement } from '../analysis/model';
import { code, inert, table } from '../../../lib/markdown';
import type { StepPlan } from './steps';

export interface EvaluationRecord {
  /** 1-based step number. */
  step: number;
  weight: number;
  /** Seconds since the rollout started. */
  atSeconds: number;
  measurements: Measurement[];
}

/** `passed`: every step passed and the rollout waits for a person (blue-green's promote). */
export type ProgressiveOutcome = 'promoted' | 'passed' | 'rejected' | 'in progress' | 'cancelled';

export type ReportKind = 'canary' | 'blue-green';

export interface ProgressiveReport {
  kind: ReportKind;
  plan: StepPlan;
  checks: AnalysisCheck[];
  evaluations: EvaluationRecord[];
  outcome: ProgressiveOutcome;
}

export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

const switchPhase = (step: number) => (step === 1 ? 'before the switch' : 'after the switch');

/** How each kind of rollout names itself and its steps. */
interface Wording {
  title: string;
  /** The plan's steps, for the head line. */
  steps(plan: StepPlan): string;
  /** The step's cell in the table. */
  stepCell(step: number): string;
  /** Where in the rollout a step is, for sentences. */
  where(step: number, weight: number): string;
  /** What the chart's bars draw, and whose share of traffic that is. */
  chartTitle: string;
  subject: string;
}

const WORDING: Record<ReportKind, Wording> = {
  canary: {
    title: 'Progressive canary',
    steps: (plan) =>
      `steps ${plan.weights.map((w) => `${w} %`).join(' → ')} · ${clock(plan.stepSeconds)} per step`,
    stepCell: (step) => String(step),
    where: (step, weight) => `at step ${step} (${weight} %)`,
    chartTitle: 'Canary weight',
    subject: 'the canary',
  },
  'blue-green': {
    title: 'Blue-green analysis',
    steps: (plan) => `green judged before and after the switch · ${clock(plan.stepSeconds)} each`,
    stepCell: switchPhase,
    where: switchPhase,
    chartTitle: "Green's weight",
    subject: 'green',
  },
};

/** Where a step is, as the summary and the failure text say it: "at step 2 (50 %)". */
export function stepPlace(kind: ReportKind, step: number, weight: number): string {
  return WORDING[kind].where(step, weight);
}

function shown(m: Measurement | undefined, check: AnalysisCheck): string {
  if (!m) return '–';
  const value =
    m.canary !== undefined
      ? formatValue(m.canary, check.unit) +
        (m.baseline !== undefined ? ` (baseline ${formatValue(m.baseline, check.unit)})` : '')
      : check.provider === 'webhook' && m.passed
        ? 'passed'
        : 'no data';
  return m.passed ? value : `**${value} ✗**`;
}

type StepVerdict = 'passed' | 'rejected' | 'running' | 'cancelled' | 'not reached';

function stepVerdict(
  report: ProgressiveReport,
  step: number,
  records: EvaluationRecord[],
): StepVerdict {
  const last = report.evaluations[report.evaluations.length - 1];
  if (records.length === 0 && (!last || last.step < step)) return 'not reached';
  if (last?.step === step && report.outcome === 'rejected') return 'rejected';
  if (last && last.step > step) return 'passed';
  if (records.length >= report.plan.evaluationsPerStep) return 'passed';
  return report.outcome === 'cancelled' ? 'cancelled' : 'running';
}

const VERDICT_TEXT: Record<StepVerdict, string> = {
  passed: '✅ passed',
  rejected: '❌ rejected',
  running: '⏳ running',
  cancelled: '⏹ cancelled',
  'not reached': '–',
};

function stepTable(report: ProgressiveReport): string {
  const headers = [
    'Step',
    'Weight',
    'Ran',
    ...report.checks.map((c) => `${inert(c.name)} (${thresholdText(c)})`),
    'Verdict',
  ];
  let stepStart = 0;
  const rows = report.plan.weights.map((weight, index) => {
    const step = index + 1;
    const records = report.evaluations.filter((e) => e.step === step);
    const ended = records.length > 0 ? records[records.length - 1].atSeconds : stepStart;
    const ran = records.length > 0 ? clock(ended - stepStart) : '–';
    stepStart = ended;
    const cells = report.checks.map((check) => {
      const values = records.map((r) =>
        shown(
          r.measurements.find((m) => m.check === check.name),
          check,
        ),
      );
      return values.join(', ') || '–';
    });
    return [
      WORDING[report.kind].stepCell(step),
      `${weight} %`,
      ran,
      ...cells,
      VERDICT_TEXT[stepVerdict(report, step, records)],
    ];
  });
  return table(headers, rows);
}

/**
 * Weight (bars) and the canary's success rate (line) at each evaluation, both in percent. A
 * missing success rate is drawn at 0 (Mermaid lines have no gaps) and the caption says so.
 */
export function chart(report: ProgressiveReport): string {
  if (report.evaluations.length === 0) return '';
  const success = report.checks.find((c) => c.builtin === 'success-rate');
  const { chartTitle, subject } = WORDING[report.kind];
  const labels = report.evaluations.map((e) => `"${clock(e.atSeconds)}"`);
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${chartTitle}${success ? ' and success rate' : ''} (%)"`,
    `  x-axis "time since start (m:ss)" [${labels.join(', ')}]`,
    '  y-axis "%" 0 --> 100',
    `  bar [${report.evaluations.map((e) => e.weight).join(', ')}]`,
  ];
  let gaps = false;
  if (success) {
    const values = report.evaluations.map((e) => {
      const value = e.measurements.find((m) => m.check === success.name)?.canary;
      if (value === undefined || !Number.isFinite(value)) {
        gaps = true;
        return 0;
      }
      return Number(Math.min(100, Math.max(0, value)).toFixed(2));
    });
    lines.push(`  line [${values.join(', ')}]`);
  }
  lines.push('```');
  const caption = `Bars: ${subject}'s share of traffic.${success ? ` Line: its success rate${gaps ? ' (no data drawn as 0)' : ''}.` : ''}`;
  return [...lines, '', caption].join('\n');
}

function failingList(report: ProgressiveReport): string[] {
  if (report.outcome !== 'rejected') return [];
  const last = report.evaluations[report.evaluations.length - 1];
  if (!last) return [];
  return last.measurements
    .filter((m) => !m.passed)
    .map(
      (m) =>
        `- ${code(m.check)} failed ${stepPlace(report.kind, last.step, last.weight)}: ${inert(m.detail)} (threshold ${m.threshold})`,
    );
}

export function renderProgressiveSummary(report: ProgressiveReport): string {
  const wording = WORDING[report.kind];
  const head = `**${wording.title}:** ${report.outcome} · ${wording.steps(report.plan)}, analysis every ${clock(report.plan.intervalSeconds)}`;
  const parts = [head, '', stepTable(report)];
  const failing = failingList(report);
  if (failing.length > 0) parts.push('', ...failing);
  const drawn = chart(report);
  if (drawn) parts.push('', drawn);
  return parts.join('\n') + '\n';
}
