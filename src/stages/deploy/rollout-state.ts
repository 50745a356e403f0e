// Whether a Deployment, as the API server returned it from the apply, is already rolled out:
// the same test `kubectl rollout status` makes (the controller has seen this generation, every
// replica runs the current template and is available, none of the old ones is left, progress
// has not timed out). An apply that changed nothing returns such an object, and asking kubectl
// again would only cost a process start. Anything else (a new generation, a rollout under way,
// other kinds) is waited for as before.
import type { KubeObject } from './model';

interface Condition {
  type?: string;
  reason?: string;
}

function count(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** What `rollout status` would have said, when the object shows a finished rollout; else undefined. */
export function settledRollout(object: KubeObject): string | undefined {
  if (object.kind !== 'Deployment') return undefined;
  const status = object.status as Record<string, unknown> | undefined;
  const generation = object.metadata.generation;
  if (!status || typeof generation !== 'number') return undefined;
  if (typeof status.observedGeneration !== 'number' || status.observedGeneration < generation) {
    return undefined;
  }
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  if (conditions.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) {
    return undefined;
  }
  const spec = object.spec as { replicas?: number; paused?: boolean } | undefined;
  if (spec?.paused) return undefined;
  const wanted = typeof spec?.replicas === 'number' ? spec.replicas : 1;
  const updated = count(status.updatedReplicas);
  if (updated < wanted) return undefined;
  if (count(status.replicas) > updated) return undefined;
  if (count(status.availableReplicas) < updated) return undefined;
  return `already rolled out: the apply changed nothing that rolls (generation ${generation}, ${updated} of ${wanted} replicas updated and available)`;
}
