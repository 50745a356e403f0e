// The action's entry: inputs from the runner, the pipeline, outputs and the job summary.
import * as core from '@actions/core';
import { loadContext } from './context';
import { actionInputs } from './inputs';
import { cancellation } from './lib/cancellation';
import { errorMessage } from './lib/errors';
import { backgroundLine, runPipeline } from './pipeline';

/**
 * A cancelled job (SIGINT, then SIGTERM) is handed to the stage that can undo its work; with
 * none running such a stage, the step ends at once, saying so.
 */
function handleSignals(): void {
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (cancellation.receive(name)) {
        core.warning(
          cancellation.hurry.aborted
            ? `Received ${name} again: finishing the undo without waiting for it to complete`
            : `Received ${name} (the job was cancelled or timed out): stopping and undoing this run's changes`,
        );
        return;
      }
      core.setFailed(`Cancelled (${name}): the step stopped before it changed any workload`);
      process.exit(1);
    });
  }
  // A failure outside a stage's own handling still ends as an ::error, never a bare stack trace.
  process.on('uncaughtException', (err) => {
    core.setFailed(errorMessage(err));
    process.exit(1);
  });
}

export async function main(): Promise<void> {
  handleSignals();
  try {
    const outcome = await runPipeline(actionInputs(), loadContext(), {
      group: (title, fn) => core.group(title, fn),
      stageDone: async (name, outputs, summary, durationMs) => {
        core.info(`${name}: ${(durationMs / 1000).toFixed(2)} s`);
        for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
        if (summary && process.env.GITHUB_STEP_SUMMARY) {
          await core.summary.addRaw(summary, true).write();
        }
      },
      backgroundDone: (name, outcome, waitedMs) => {
        const message = backgroundLine(name, outcome, waitedMs);
        if (outcome.failed) core.warning(message);
        else core.info(message);
      },
    });
    if (outcome.failure) core.setFailed(outcome.failure);
  } catch (err) {
    core.setFailed(errorMessage(err));
  }
  // Cancelled: end now, before the runner's kill (a leftover timer or socket must not hold us).
  if (cancellation.requested) process.exit(1);
}
