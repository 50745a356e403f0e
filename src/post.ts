// Bundled by ncc into dist/post/index.js, which action.yml runs as the `post:` step (always,
// cancelled jobs included): the backstop that undoes a deploy whose main step was killed.
// Nearly every post step has nothing to do, so this entry reads the main step's journal with no
// dependencies and loads the action's bundle, which undoes the deploy, only for a deploy that
// did not finish: a finished job's post step then costs little more than Node's start.
import * as path from 'path';
import { nodeRequire } from './bundle/split';
import { enterAsPostBackstop } from './entry-mode';
import { savedJournal } from './stages/deploy/journal-state';

function post(): void {
  try {
    const journal = savedJournal(process.env);
    if (!journal) return;
    if (journal.phase === 'done') {
      process.stdout.write('deploy: the main step finished; nothing to undo\n');
      return;
    }
  } catch {
    // Unreadable: the bundle reads it again and fails the step saying so.
  }
  enterAsPostBackstop();
  // dist/post/index.js → dist/main/index.js, which undoes the deploy (src/index.ts).
  nodeRequire(path.join(__dirname, '..', 'main', 'index.js'));
}

post();
