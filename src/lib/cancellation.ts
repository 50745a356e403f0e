// Cancellation as the Actions runner does it: SIGINT, then SIGTERM 7.5 s later, then the process
// tree is killed 2.5 s after that. A stage that changes the world runs under `handle`, so a signal
// stops its waits (`stop`) and leaves it the ~10 s to undo its work; the second signal (`hurry`)
// says to skip whatever waiting is left and write the outcome.

/** What the runner leaves between its first signal and the kill. */
export const GRACE_MS = 10_000;

export class Cancellation {
  private readonly stopController = new AbortController();
  private readonly hurryController = new AbortController();
  private handlers = 0;
  /** The first signal received, while a stage handled cancellation. */
  signal: NodeJS.Signals | undefined;
  receivedAt = 0;

  /** Aborted on the first signal: stop waiting, start undoing. */
  get stop(): AbortSignal {
    return this.stopController.signal;
  }

  /** Aborted on the second signal: the kill is 2.5 s away. */
  get hurry(): AbortSignal {
    return this.hurryController.signal;
  }

  get requested(): boolean {
    return this.signal !== undefined;
  }

  /** While `fn` runs, a signal is this caller's to handle instead of ending the process. */
  async handle<T>(fn: () => Promise<T>): Promise<T> {
    this.handlers++;
    try {
      return await fn();
    } finally {
      this.handlers--;
    }
  }

  /** Records a signal; false when no stage handles cancellation (the process should end). */
  receive(name: NodeJS.Signals): boolean {
    if (this.handlers === 0) return false;
    if (!this.signal) {
      this.signal = name;
      this.receivedAt = Date.now();
      this.stopController.abort(name);
    } else {
      this.hurryController.abort(name);
    }
    return true;
  }

  /** Milliseconds left before the runner kills the process, keeping `reserveMs` for the report. */
  remainingMs(reserveMs = 0): number {
    if (!this.requested) return Infinity;
    return Math.max(0, this.receivedAt + GRACE_MS - reserveMs - Date.now());
  }
}

/** The process's one cancellation: main.ts feeds it signals, stages read it. */
export const cancellation = new Cancellation();
