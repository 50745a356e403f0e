// Bundled by ncc into dist/post/index.js, which action.yml runs as the `post:` step (always,
// cancelled jobs included): the backstop that undoes a deploy whose main step was killed.
// Nearly every post step has nothing to do, so this entry reads the main step's journal with no
// dependencies and loads the backstop (kubectl, the API clients, the toolkit) only for a deploy
// that did not finish: a finished job's post step then costs little more than Node's start.
import { savedJournal } from './stages/deploy/journal-state';

function post(): void {
  let journal;
  try {
    journal = savedJournal(process.env);
  } catch (err) {
    // The runner's `::error::` command, as @actions/core's setFailed writes it.
    process.stdout.write(`::error::post step: the deploy's saved state is unreadable: ${err}\n`);
    process.exitCode = 1;
    return;
  }
  if (!journal) return;
  if (journal.phase === 'done') {
    process.stdout.write('deploy: the main step finished; nothing to undo\n');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { undoUnfinished } = require('./bundle/post-backstop') as typeof import('./post-backstop');
  void undoUnfinished(journal);
}

post();
