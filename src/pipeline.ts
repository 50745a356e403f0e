// Runs the selected stages in order. The same code path serves the action and the CLI: they
// differ only in where inputs come from and where outputs and the summary go.
import type { Context } from './context';
import type { InputSource } from './inputs';
import { assertKnownInputs } from './peers/unknown-inputs';
import { selectStages } from './selection';
import { STAGES } from './stages';
import type { BackgroundOutcome, PipelineResults, StageEntry, StageName } from './stages/types';

export interface PipelineSink {
  /**
   * Called once per finished stage, before the next one starts; `durationMs` is the stage's run
   * (what a user compares with the step it replaces).
   */
  stageDone(
    name: StageName,
    outputs: Record<string, string>,
    summary: string,
    durationMs: number,
  ): Promise<void>;
  /** Log grouping for a stage's work. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * How a stage's background work ended (logged once every stage has run); `waitedMs` is how
   * long the step waited for it after the last stage.
   */
  backgroundDone(name: StageName, outcome: BackgroundOutcome, waitedMs: number): void;
}

export interface PipelineOutcome {
  results: PipelineResults;
  /** Set when a stage's verdict failed the job; later stages did not run. */
  failure?: string;
}

/** The log line for a stage's background work once it ended. */
export function backgroundLine(
  name: StageName,
  outcome: BackgroundOutcome,
  waitedMs: number,
): string {
  const waited = (waitedMs / 1000).toFixed(2);
  return `${name}: ${outcome.message}; waited ${waited} s for it after the last stage`;
}

export async function runPipeline(
  source: InputSource,
  ctx: Context,
  sink: PipelineSink,
  stages: readonly StageEntry[] = STAGES,
): Promise<PipelineOutcome> {
  // An input no stage declares would be silently ignored: fail on it before anything parses.
  if (source.names) await assertKnownInputs(source.names(), (name) => source.get(name));
  const selected = await Promise.all(selectStages(source, stages).map((entry) => entry.load()));
  // Every input of every selected stage is validated before any stage builds, pushes or applies.
  const parsed = selected.map((stage) => ({ stage, inputs: stage.parseInputs(source, ctx) }));
  for (const entry of parsed) {
    if (entry.stage.prepare) entry.inputs = await entry.stage.prepare(entry.inputs, ctx);
  }
  const results: PipelineResults = {};
  const background: { name: StageName; done: Promise<BackgroundOutcome> }[] = [];
  try {
    for (const [index, { stage, inputs }] of parsed.entries()) {
      const started = Date.now();
      const aheadOfLater = (soFar: PipelineResults) => {
        for (const later of parsed.slice(index + 1)) {
          if (later.stage.ahead) later.inputs = later.stage.ahead(later.inputs, ctx, soFar);
        }
      };
      const early = (partial: object) => aheadOfLater({ ...results, [stage.name]: partial });
      const result = await sink.group(`${stage.name}`, () =>
        stage.run(inputs, ctx, results, early),
      );
      const durationMs = Date.now() - started;
      (results as Record<string, unknown>)[stage.name] = result;
      const done = stage.background?.(result);
      if (done) background.push({ name: stage.name, done });
      const report = stage.report(result, inputs);
      await sink.stageDone(stage.name, report.outputs, report.summary, durationMs);
      if (report.failure) return { results, failure: report.failure };
      aheadOfLater(results);
    }
    return { results };
  } finally {
    // Background work never fails the job (its promise resolves with how it ended), but the
    // step must not end while it still runs.
    for (const { name, done } of background) {
      const waitStarted = Date.now();
      const outcome = await done;
      sink.backgroundDone(name, outcome, Date.now() - waitStarted);
    }
  }
}
