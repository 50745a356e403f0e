// The post step's work when the main step did not finish: undo its deploy and say so in the job
// summary. Part of the action's bundle, which the post step's entry (src/post.ts) loads only then
// (src/entry-mode.ts), so the post step of every finished job compiles none of it.
import * as core from '@actions/core';
import { loadContext } from './context';
import { actionInputs } from './inputs';
import { errorMessage } from './lib/errors';
import { runBackstop } from './stages/deploy/backstop';
import { savedJournal } from './stages/deploy/journal-state';

export async function undoUnfinished(): Promise<void> {
  try {
    const journal = savedJournal(process.env);
    if (!journal || journal.phase === 'done') return;
    const lines = await runBackstop(journal, actionInputs(), loadContext());
    if (lines.length > 0 && process.env.GITHUB_STEP_SUMMARY) {
      const body = [
        '### Deploy (post step)',
        '',
        'The deploy step was killed before it finished; the post step undid it:',
        '',
        ...lines.map((l) => `- ${l}`),
        '',
      ].join('\n');
      await core.summary.addRaw(body, true).write();
    }
  } catch (err) {
    core.setFailed(`post step: ${errorMessage(err)}`);
  }
}
