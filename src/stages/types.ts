// The contract between main.ts and the stages: each stage parses its own inputs (before
// anything runs), then runs with the results of the stages before it.
import type { Context } from '../context';
import type { InputSource } from '../inputs';
import type { MetaResult } from './meta/model';
import type { BuildResult } from './build/model';
import type { ScanResult } from './scan/model';
import type { DeployResult } from './deploy/model';

export const STAGE_NAMES = ['meta', 'build', 'scan', 'deploy'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** What the stages before this one produced. */
export interface PipelineResults {
  meta?: MetaResult;
  build?: BuildResult;
  scan?: ScanResult;
  deploy?: DeployResult;
}

export interface StageReport {
  /** Action outputs to set (name -> value). */
  outputs: Record<string, string>;
  /** A Markdown section for the job summary. */
  summary: string;
  /**
   * Set when the stage's verdict fails the job (scan gate, rollout rolled back). Outputs
   * and summary are still written; later stages do not run.
   */
  failure?: string;
}

/** How work a stage left running beside the later stages ended (a cache export, say). */
export interface BackgroundOutcome {
  message: string;
  /** Worth a warning: the work failed, though the stage's own result stands. */
  failed: boolean;
}

export interface Stage<Inputs, Result> {
  name: StageName;
  /** Parse and validate this stage's inputs. Throws InputError; must not touch the world. */
  parseInputs(source: InputSource, ctx: Context): Inputs;
  /**
   * Optional read-only checks that need I/O (reading manifest files, say), run for every
   * selected stage after all inputs parse and before any stage runs, so that bad input found
   * there still changes nothing. Returns the inputs with what it read.
   */
  prepare?(inputs: Inputs, ctx: Context): Promise<Inputs>;
  /**
   * Called after each earlier stage, with the results so far: read-only work this stage can
   * start before its turn once what it needs is there (deploy's server dry run once the build's
   * digest is known, beside the scan). Returns the inputs carrying it; `run` checks that what
   * was started still fits and otherwise does the work itself.
   */
  ahead?(inputs: Inputs, ctx: Context, results: PipelineResults): Inputs;
  /**
   * `early`, when given, hands the later stages' `ahead` a part of the result as soon as it is
   * known: the build's tags when it is about to push them, then its pushed image, before its
   * size is looked up.
   */
  run(
    inputs: Inputs,
    ctx: Context,
    previous: PipelineResults,
    early?: (partial: Partial<Result>) => void,
  ): Promise<Result>;
  report(result: Result, inputs: Inputs): StageReport;
  /**
   * Work the run left going beside the later stages; the pipeline waits for it before the step
   * ends (whatever the later stages did) and logs how it ended.
   */
  background?(result: Result): Promise<BackgroundOutcome> | undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous registry
export type AnyStage = Stage<any, any>;

/** A stage in the registry: known by name before its code is loaded. */
export interface StageEntry {
  name: StageName;
  /** False while the stage is not built yet: `auto` skips it, naming it is an error. */
  available: boolean;
  load(): Promise<AnyStage>;
}
