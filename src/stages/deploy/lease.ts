// One deploy at a time per workload: a coordination.k8s.io Lease per workload in the
// manifests, taken atomically (create, or replace at the resourceVersion read) before anything
// is applied and given back at the end. A second run waits (bounded) while another holds it.
import type { KubeObject } from './model';
import { namespaceOf } from './live';

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';
export const RUN_URL_ANNOTATION = 'gantry.dev/run-url';
export const WORKLOAD_ANNOTATION = 'gantry.dev/workload';

/** Who takes the lease: the run, its job and this process, so reruns and matrix jobs differ. */
export interface LeaseHolder {
  identity: string;
  runUrl: string;
}

export interface HeldBy {
  workload: string;
  lease: string;
  holder: string;
  runUrl: string;
  since: string;
}

/** `gantry-deployment-web`, within the 253 characters of an object name. */
export function leaseName(workload: KubeObject): string {
  return `gantry-${workload.kind.toLowerCase()}-${workload.metadata.name}`.slice(0, 253);
}

/** The Lease object (as read from the cluster, or a new one) for a workload. */
export function leaseFor(workload: KubeObject, defaultNamespace: string): KubeObject {
  const namespace = namespaceOf(workload, defaultNamespace);
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: { name: leaseName(workload), ...(namespace ? { namespace } : {}) },
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A lease nobody holds: never taken, given back, or not renewed within its duration. */
export function isFree(lease: KubeObject | undefined, now: number): boolean {
  const spec = lease?.spec;
  if (!spec?.holderIdentity) return true;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const seconds = Number(spec.leaseDurationSeconds ?? 0);
  return !Number.isFinite(renewed) || renewed + seconds * 1000 < now;
}

/** The lease as this run holds it: on top of what was read (its resourceVersion), or new. */
export function takenLease(
  base: KubeObject,
  current: KubeObject | undefined,
  holder: LeaseHolder,
  workload: string,
  durationSeconds: number,
  now: number,
): KubeObject {
  const metadata: KubeObject['metadata'] = {
    ...base.metadata,
    annotations: { [RUN_URL_ANNOTATION]: holder.runUrl, [WORKLOAD_ANNOTATION]: workload },
  };
  if (current?.metadata.resourceVersion)
    metadata.resourceVersion = current.metadata.resourceVersion;
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata,
    spec: {
      holderIdentity: holder.identity,
      leaseDurationSeconds: Math.ceil(durationSeconds),
      acquireTime: microTime(now),
      renewTime: microTime(now),
    },
  };
}

/** The lease given back: no holder, at the resourceVersion this run got when taking it. */
export function releasedLease(held: KubeObject): KubeObject {
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: {
      name: held.metadata.name,
      namespace: held.metadata.namespace,
      resourceVersion: held.metadata.resourceVersion,
      annotations: held.metadata.annotations,
    },
    spec: { holderIdentity: '', leaseDurationSeconds: held.spec?.leaseDurationSeconds ?? 1 },
  };
}

export function heldBy(lease: KubeObject, workload: string): HeldBy {
  return {
    workload,
    lease: lease.metadata.name,
    holder: String(lease.spec?.holderIdentity ?? ''),
    runUrl: lease.metadata.annotations?.[RUN_URL_ANNOTATION] ?? '',
    since: String(lease.spec?.acquireTime ?? lease.spec?.renewTime ?? ''),
  };
}

/** "deployment/web is being deployed by https://…/runs/1 (holder …) since …". */
export function describeHolder(held: HeldBy): string {
  const who = held.runUrl ? `run ${held.runUrl}` : `"${held.holder}"`;
  return `${held.workload} is being deployed by ${who}${held.runUrl ? ` (${held.holder})` : ''}${held.since ? ` since ${held.since}` : ''} (lease/${held.lease})`;
}
