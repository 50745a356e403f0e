// Work started ahead of its stage's turn (the scan, once the build has pushed) must not print
// into the stage that is running meanwhile: the log groups would interleave. Whatever the
// work writes to stdout or stderr, its tools' output included, is held until its stage prints
// it in its own group. The work is followed through its async calls (AsyncLocalStorage), so
// the code it runs needs no logger of its own.
import { AsyncLocalStorage } from 'async_hooks';

interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What deferred work wrote so far; once replayed, its later writes pass through. */
interface Held {
  chunks: Chunk[];
  replayed: boolean;
}

const held = new AsyncLocalStorage<Held>();
/** The writes this module put in place (another may replace them: tests' spies do). */
const wrappers = new WeakSet<object>();

type Write = typeof process.stdout.write;

/** Routes writes made inside deferred work to its buffer; everything else passes through. */
function install(): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    if (wrappers.has(target.write)) continue;
    const write = target.write.bind(target) as Write;
    const wrapper = ((chunk: unknown, ...rest: unknown[]) => {
      const buffer = held.getStore();
      if (!buffer || buffer.replayed)
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      buffer.chunks.push({
        stream,
        text: typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(),
      });
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as Write;
    wrappers.add(wrapper);
    target.write = wrapper;
  }
}

export interface Deferred<T> {
  /** Waits for the work, then prints what it wrote, in order, and returns (or throws) its outcome. */
  replay(): Promise<T>;
  /** The work's outcome without its output, for work that turned out not to be needed. */
  outcome: Promise<T>;
}

/** Runs `work` now, holding its output for `replay`. */
export function deferOutput<T>(work: () => Promise<T>): Deferred<T> {
  install();
  const buffer: Held = { chunks: [], replayed: false };
  const outcome = held.run(buffer, work);
  // Read by replay, if the stage runs at all.
  outcome.catch(() => undefined);
  return {
    outcome,
    replay: async () => {
      try {
        return await outcome;
      } finally {
        buffer.replayed = true;
        for (const { stream, text } of buffer.chunks.splice(0)) process[stream].write(text);
      }
    },
  };
}
