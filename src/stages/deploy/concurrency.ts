// Taking and giving back the workloads' leases (see lease.ts) around a deploy: wait, bounded,
// while another run holds one, naming that run; never apply without holding all of them.
import * as core from '@actions/core';
import { sleep } from '../../lib/sleep';
import { errorMessage } from '../../lib/errors';
import type { Kubectl } from './kubectl';
import {
  describeHolder,
  heldBy,
  isFree,
  leaseFor,
  releasedLease,
  takenLease,
  type LeaseHolder,
} from './lease';
import { liveKey, namespaceOf, type LiveObjects } from './live';
import type { KubeObject } from './model';
import { objectRef } from './workloads';

export class CancelledBeforeApply extends Error {
  constructor(signal: string) {
    super(`Cancelled (${signal}) before anything was applied; nothing to undo.`);
    this.name = 'CancelledBeforeApply';
  }
}

export interface LeaseRequest {
  kube: Kubectl;
  /** The workloads of the manifests (stable names): one lease each. */
  workloads: KubeObject[];
  namespace: string;
  holder: LeaseHolder;
  /** How long a taken lease stays valid without being given back (a killed run's lease expires). */
  durationSeconds: number;
  waitSeconds: number;
  /** Reads the cluster's objects, leases included. */
  readLive: () => Promise<LiveObjects>;
  /**
   * A read already made, for the first look. `early`: made before the scan's verdict (while
   * the scan ran), so a lease it shows held may be free by now: then the cluster is read again
   * at once instead of waiting.
   */
  firstLook?: { live: LiveObjects; early: boolean };
  signal: AbortSignal;
}

function leaseOf(live: LiveObjects, lease: KubeObject): KubeObject | undefined {
  return live.get(liveKey('Lease', lease.metadata.namespace ?? '', lease.metadata.name));
}

/**
 * Takes every workload's lease, waiting while another run holds one. Returns the cluster's
 * objects as read while this run's leases were free, so they are what this run changes.
 */
export async function acquireLeases(
  request: LeaseRequest,
): Promise<{ live: LiveObjects; held: KubeObject[] }> {
  const { kube, workloads, holder } = request;
  const deadline = Date.now() + request.waitSeconds * 1000;
  const announced = new Set<string>();
  let look = request.firstLook;
  for (;;) {
    const live = look?.live ?? (await request.readLive());
    const early = look?.early ?? false;
    look = undefined;
    const now = Date.now();
    const wanted = workloads.map((workload) => {
      const base = leaseFor(workload, request.namespace);
      return { workload, base, current: leaseOf(live, base) };
    });
    const busy = wanted.filter((lease) => !isFree(lease.current, now));
    if (busy.length > 0 && early) continue;
    if (busy.length === 0) {
      const take = (lease: (typeof wanted)[number]) =>
        takenLease(
          lease.base,
          lease.current,
          holder,
          objectRef(lease.workload),
          request.durationSeconds,
          now,
        );
      const created = await kube.createOrReplace(
        'create',
        wanted.filter((lease) => !lease.current).map(take),
      );
      const replaced = await kube.createOrReplace(
        'replace',
        wanted.filter((lease) => lease.current).map(take),
      );
      const held = [...created.stored, ...replaced.stored];
      if (!created.refused && !replaced.refused) {
        for (const lease of held) core.info(`took lease/${lease.metadata.name}`);
        return { live, held };
      }
      // Another run took one at the same moment: give back what this run got and look again.
      await releaseLeases(kube, held);
      core.info(
        early
          ? 'a lease changed since it was read during the scan; looking again'
          : 'another run took a lease at the same moment; looking again',
      );
      if (early) continue;
    } else {
      for (const lease of busy) {
        const line = describeHolder(
          heldBy(lease.current!, `${objectRef(lease.workload)}${nsText(lease.workload, request)}`),
        );
        const key = `${lease.base.metadata.name} ${lease.current!.spec?.holderIdentity}`;
        if (!announced.has(key)) {
          announced.add(key);
          core.info(
            `${line}; waiting up to ${request.waitSeconds} s for it to finish (input lease-wait)`,
          );
        }
      }
      if (Date.now() >= deadline) {
        const lines = busy.map((lease) =>
          describeHolder(heldBy(lease.current!, objectRef(lease.workload))),
        );
        throw new Error(
          `Another deploy of the same workloads is still running after waiting ${request.waitSeconds} s (input lease-wait); nothing was applied:\n${lines.join('\n')}\nRun again when it has finished. If that run is gone, its lease expires by itself, or delete the lease to go ahead now.`,
        );
      }
    }
    await sleep(Math.min(2000, Math.max(200, deadline - Date.now())), request.signal);
    if (request.signal.aborted) throw new CancelledBeforeApply(String(request.signal.reason));
  }
}

function nsText(workload: KubeObject, request: LeaseRequest): string {
  const namespace = namespaceOf(workload, request.namespace);
  return namespace ? ` in ${namespace}` : '';
}

/** Gives the leases back (at the resourceVersion taken); a failure only delays the next run. */
export async function releaseLeases(kube: Kubectl, held: KubeObject[]): Promise<void> {
  if (held.length === 0) return;
  try {
    const result = await kube.createOrReplace('replace', held.map(releasedLease));
    if (result.refused) core.warning(`could not give back a lease: ${result.refused}`);
    else for (const lease of held) core.info(`gave back lease/${lease.metadata.name}`);
  } catch (err) {
    const until = held
      .map((lease) => lease.spec?.leaseDurationSeconds)
      .filter((seconds) => seconds !== undefined)[0];
    core.warning(
      `could not give back the lease(s) ${held.map((l) => l.metadata.name).join(', ')}; they expire ${until ?? '?'} s after they were taken: ${errorMessage(err)}`,
    );
  }
}
