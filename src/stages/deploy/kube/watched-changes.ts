// What a rollout wait's watch has handed over (Kubectl.waitDirect): the workload as each change
// left it, judged as it comes, as `kubectl rollout status` judges each event.
import type { KubeObject } from '../model';

/** How often a rollout wait reads the workload while a watch hands its changes over. */
export const WATCHED_READ_MS = 1000;

/**
 * The changes a rollout wait's watch has handed over and not yet judged: the latest object (or
 * none, when the event did not carry it and a read is due), and the pause it ends early.
 */
export class WatchedChanges {
  /** A watch has handed over a change and has not ended. */
  live = false;
  /** A change came that has not been judged yet. */
  waiting = false;
  private latest: KubeObject | undefined;
  private pause = new AbortController();

  arrived(current: KubeObject | undefined): void {
    this.live = true;
    this.waiting = true;
    this.latest = current;
    this.pause.abort();
  }

  ended(): void {
    this.live = false;
    this.pause.abort();
  }

  /** The change to judge now, if one came with its object; undefined: read the workload. */
  take(): KubeObject | undefined {
    const latest = this.waiting ? this.latest : undefined;
    this.waiting = false;
    this.latest = undefined;
    return latest;
  }

  /** A pause's signal: aborted by the next change, or by the watch's end. */
  nap(): AbortSignal {
    this.pause = new AbortController();
    return this.pause.signal;
  }
}
