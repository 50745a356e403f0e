// The action's entry: inputs from the runner, the pipeline, outputs and the job summary.
import * as core from '@actions/core';
import { loadContext } from './context';
import { actionInputs } from './inputs';
import { errorMessage } from './lib/errors';
import { runPipeline } from './pipeline';

export async function main(): Promise<void> {
  try {
    const outcome = await runPipeline(actionInputs(), loadContext(), {
      group: (title, fn) => core.group(title, fn),
      stageDone: async (_name, outputs, summary) => {
        for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
        if (summary && process.env.GITHUB_STEP_SUMMARY) {
          await core.summary.addRaw(summary, true).write();
        }
      },
    });
    if (outcome.failure) core.setFailed(outcome.failure);
  } catch (err) {
    core.setFailed(errorMessage(err));
  }
}
