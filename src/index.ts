// Bundled by ncc into dist/main/index.js, which dist/index.js (src/launch.ts) starts for the main
// step, and the post step's entry (src/post.ts) for a deploy whose main step was killed.
import { entryMode } from './entry-mode';
import { main } from './main';
import { undoUnfinished } from './post-backstop';

void (entryMode() === 'post-backstop' ? undoUnfinished() : main());
