// Where the deploy's journal travels from the main step to the post step: the runner keeps what
// the main step saves as step state and hands it to the post step as `STATE_<name>`. Kept apart
// from journal.ts, with no imports, because the post step's entry reads it before it loads
// anything else (see src/post.ts).
import type { DeployJournal } from './journal';

export const JOURNAL_STATE = 'gantry-deploy';

/** The main step's journal as the post step is given it; undefined: the deploy never started. */
export function savedJournal(env: NodeJS.ProcessEnv): DeployJournal | undefined {
  const saved = env[`STATE_${JOURNAL_STATE}`];
  return saved ? (JSON.parse(saved) as DeployJournal) : undefined;
}
