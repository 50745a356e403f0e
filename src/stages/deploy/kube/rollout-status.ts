// Whether a workload has rolled out, from the object the API server returns: the same rules
// and progress lines as `kubectl rollout status` (Deployment, DaemonSet, StatefulSet) and
// `kubectl wait` (a ReplicaSet's ready replicas, a Pod's Ready condition), so the verdict does
// not depend on which of the two asked.
import type { KubeObject } from '../model';

export interface RolloutStatus {
  done: boolean;
  /** The workload cannot finish as it is (progress deadline exceeded, unsupported strategy). */
  failed?: boolean;
  message: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- status fields are open-ended JSON */
type Fields = Record<string, any>;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** DaemonSets and StatefulSets report a rollout only under the RollingUpdate strategy. */
const rollsUpdates = (spec: Fields): boolean =>
  (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
const NOT_ROLLING: RolloutStatus = {
  done: false,
  failed: true,
  message: 'rollout status is only available for RollingUpdate strategy type',
};

function deploymentStatus(object: KubeObject): RolloutStatus {
  const name = object.metadata.name;
  const spec = (object.spec ?? {}) as Fields;
  const status = (object.status ?? {}) as Fields;
  if (num(object.metadata.generation) > num(status.observedGeneration))
    return { done: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = (status.conditions ?? []).find((c: Fields) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      done: false,
      failed: true,
      message: `deployment "${name}" exceeded its progress deadline`,
    };
  const updated = num(status.updatedReplicas);
  if (typeof spec.replicas === 'number' && updated < spec.replicas)
    return {
      done: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${spec.replicas} new replicas have been updated...`,
    };
  if (num(status.replicas) > updated)
    return {
      done: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${num(status.replicas) - updated} old replicas are pending termination...`,
    };
  if (num(status.availableReplicas) < updated)
    return {
      done: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${num(status.availableReplicas)} of ${updated} updated replicas are available...`,
    };
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

function daemonSetStatus(object: KubeObject): RolloutStatus {
  const name = object.metadata.name;
  const spec = (object.spec ?? {}) as Fields;
  const status = (object.status ?? {}) as Fields;
  if (!rollsUpdates(spec)) return NOT_ROLLING;
  if (num(object.metadata.generation) > num(status.observedGeneration))
    return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
  const desired = num(status.desiredNumberScheduled);
  if (num(status.updatedNumberScheduled) < desired)
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${num(status.updatedNumberScheduled)} out of ${desired} new pods have been updated...`,
    };
  if (num(status.numberAvailable) < desired)
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${num(status.numberAvailable)} of ${desired} updated pods are available...`,
    };
  return { done: true, message: `daemon set "${name}" successfully rolled out` };
}

function statefulSetStatus(object: KubeObject): RolloutStatus {
  const spec = (object.spec ?? {}) as Fields;
  const status = (object.status ?? {}) as Fields;
  if (!rollsUpdates(spec)) return NOT_ROLLING;
  if (
    num(status.observedGeneration) === 0 ||
    num(object.metadata.generation) > num(status.observedGeneration)
  )
    return { done: false, message: 'Waiting for statefulset spec update to be observed...' };
  if (typeof spec.replicas === 'number' && num(status.readyReplicas) < spec.replicas)
    return {
      done: false,
      message: `Waiting for ${spec.replicas - num(status.readyReplicas)} pods to be ready...`,
    };
  const partition = num(spec.updateStrategy?.rollingUpdate?.partition);
  if (partition > 0 && typeof spec.replicas === 'number') {
    const wanted = spec.replicas - partition;
    if (num(status.updatedReplicas) < wanted)
      return {
        done: false,
        message: `Waiting for partitioned roll out to finish: ${num(status.updatedReplicas)} out of ${wanted} new pods have been updated...`,
      };
    return {
      done: true,
      message: `partitioned roll out complete: ${num(status.updatedReplicas)} new pods have been updated...`,
    };
  }
  if (status.updateRevision !== status.currentRevision)
    return {
      done: false,
      message: `waiting for statefulset rolling update to complete ${num(status.updatedReplicas)} pods at revision ${status.updateRevision}...`,
    };
  return {
    done: true,
    message: `statefulset rolling update complete ${num(status.currentReplicas)} pods at revision ${status.currentRevision}...`,
  };
}

function replicaSetStatus(object: KubeObject): RolloutStatus {
  const wanted = num((object.spec as Fields | undefined)?.replicas ?? 1);
  const ready = num((object.status as Fields | undefined)?.readyReplicas);
  return ready === wanted
    ? { done: true, message: `replicaset.apps/${object.metadata.name} condition met` }
    : { done: false, message: `${ready} of ${wanted} replicas are ready` };
}

function podStatus(object: KubeObject): RolloutStatus {
  const ready = ((object.status as Fields | undefined)?.conditions ?? []).find(
    (c: Fields) => c.type === 'Ready',
  );
  return ready?.status === 'True'
    ? { done: true, message: `pod/${object.metadata.name} condition met` }
    : { done: false, message: `pod/${object.metadata.name} is not Ready` };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const BY_KIND: Record<string, (object: KubeObject) => RolloutStatus> = {
  Deployment: deploymentStatus,
  DaemonSet: daemonSetStatus,
  StatefulSet: statefulSetStatus,
  ReplicaSet: replicaSetStatus,
  Pod: podStatus,
};

/** The kinds whose readiness is waited for; others have nothing to wait for. */
export function hasRolloutStatus(kind: string): boolean {
  return kind in BY_KIND;
}

export function rolloutStatus(object: KubeObject): RolloutStatus {
  const status = BY_KIND[object.kind];
  if (!status) return { done: true, message: `${object.kind} has nothing to wait for` };
  return status(object);
}
