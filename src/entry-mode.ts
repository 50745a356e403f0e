// Which job the action's bundle (dist/main/index.js) does when it loads: the main step's, or the
// post step's undoing of an unfinished deploy. The post step's entry (src/post.ts) is tiny and
// hands over to the bundle only in that rare case, so that the code to undo a deploy ships once.
const KEY = Symbol.for('gantry.entry');

type Mode = 'main' | 'post-backstop';

/** Called by the post step's entry just before it loads the bundle. */
export function enterAsPostBackstop(): void {
  (globalThis as Record<symbol, Mode>)[KEY] = 'post-backstop';
}

export function entryMode(): Mode {
  return (globalThis as Record<symbol, Mode | undefined>)[KEY] ?? 'main';
}
