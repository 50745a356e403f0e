// Bundled by ncc into dist/post/index.js, which action.yml runs as the `post:` step (always,
// cancelled jobs included): the backstop that undoes a deploy whose main step was killed.
import * as core from '@actions/core';
import { loadContext } from './context';
import { actionInputs } from './inputs';
import { errorMessage } from './lib/errors';
import { runBackstop } from './stages/deploy/backstop';

async function post(): Promise<void> {
  try {
    const lines = await runBackstop(actionInputs(), loadContext());
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

void post();
