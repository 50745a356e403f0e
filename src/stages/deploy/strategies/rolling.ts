// Rolling deploy: one batched apply, wait for every workload's rollout, and when one fails,
// undo exactly the workloads this run changed, to the revision they had before, so the
// previous version keeps serving. Canary promote reuses these steps for the stable workloads.
import * as core from '@actions/core';
import { containersToLog, LOG_LINE_LIMIT, rolloutDiagnostics } from '../diagnostics';
import type { WaitResult } from '../kubectl';
import type { Kubectl } from '../kubectl';
import { liveKey, type LiveObjects } from '../live';
import type {
  DeployedResource,
  DeployInputs,
  KubeObject,
  RolloutOutcome,
  WorkloadStatus,
} from '../model';
import { trackOf } from '../tracks';
import {
  imagesOf,
  isWorkload,
  objectRef,
  podTemplateOf,
  replicasOf,
  ROLLOUT_KINDS,
} from '../workloads';

export interface DeployContext {
  kube: Kubectl;
  inputs: DeployInputs;
  /** The cluster's objects as they were before this run applied anything. */
  live: LiveObjects;
}

export interface StrategyOutcome {
  rollout: RolloutOutcome;
  deployed: DeployedResource[];
  workloads: WorkloadStatus[];
  notes: string[];
  failure?: string;
}

export interface AppliedRollout {
  applied: KubeObject[];
  waits: WaitResult[];
  failed: WaitResult[];
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** Applies the batch and waits for every workload in it, all at once. */
export async function applyAndWait(
  dc: DeployContext,
  objects: KubeObject[],
): Promise<AppliedRollout> {
  const applied = await dc.kube.apply(objects, dc.inputs);
  for (const object of applied)
    core.info(
      `applied ${objectRef(object)}${object.metadata.namespace ? ` in ${object.metadata.namespace}` : ''}`,
    );
  const waits = await dc.kube.waitAll(applied.filter(isWorkload), dc.inputs.rolloutTimeoutSeconds);
  for (const wait of waits)
    core.info(`${objectRef(wait.object)}: ${wait.ready ? 'ready' : 'NOT ready'} (${wait.message})`);
  return { applied, waits, failed: waits.filter((wait) => !wait.ready) };
}

function before(dc: DeployContext, object: KubeObject): KubeObject | undefined {
  return dc.live.get(liveKey(object.kind, object.metadata.namespace ?? '', object.metadata.name));
}

/** Workloads whose pod template this run changed (new workloads have nothing to go back to). */
export function changedWorkloads(dc: DeployContext, applied: KubeObject[]): KubeObject[] {
  return applied.filter((object) => {
    if (!ROLLOUT_KINDS.includes(object.kind)) return false;
    const previous = before(dc, object);
    return (
      previous !== undefined &&
      JSON.stringify(podTemplateOf(previous)) !== JSON.stringify(podTemplateOf(object))
    );
  });
}

export async function diagnose(dc: DeployContext, failed: KubeObject[]): Promise<string> {
  const namespaces = [
    ...new Set(failed.map((object) => object.metadata.namespace ?? dc.inputs.namespace)),
  ];
  const sections: string[] = [];
  for (const namespace of namespaces) {
    const workloads = failed.filter(
      (o) => (o.metadata.namespace ?? dc.inputs.namespace) === namespace,
    );
    const { pods, events } = await dc.kube.podsAndEvents(namespace);
    const logs = await Promise.all(
      containersToLog(workloads, pods).map(async (target) => ({
        ...target,
        lines: await dc.kube.containerLogs(
          namespace,
          target.pod,
          target.container,
          target.previous,
          LOG_LINE_LIMIT,
        ),
      })),
    );
    sections.push(rolloutDiagnostics(workloads, pods, events, logs));
  }
  return sections.join('\n');
}

/** Undoes the changed workloads to their recorded revisions and waits until they are healthy. */
export async function rollBack(dc: DeployContext, changed: KubeObject[]): Promise<WaitResult[]> {
  await Promise.all(
    changed.map((object) => {
      const revision =
        object.kind === 'Deployment'
          ? before(dc, object)?.metadata.annotations?.[REVISION_ANNOTATION]
          : undefined;
      core.info(`rolling back ${objectRef(object)}${revision ? ` to revision ${revision}` : ''}`);
      return dc.kube.undo(object, revision);
    }),
  );
  return dc.kube.waitAll(changed, dc.inputs.rolloutTimeoutSeconds);
}

export function describeWorkloads(objects: KubeObject[], waits: WaitResult[]): WorkloadStatus[] {
  return objects.filter(isWorkload).map((object) => ({
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    track: trackOf(object) ?? 'stable',
    images: imagesOf(object),
    replicas: replicasOf(object),
    ready:
      waits.find(
        (wait) =>
          wait.object.kind === object.kind && wait.object.metadata.name === object.metadata.name,
      )?.ready ?? true,
  }));
}

export function deployedResources(objects: KubeObject[]): DeployedResource[] {
  return objects.filter(isWorkload).map((object) => ({
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    image: imagesOf(object).join(','),
  }));
}

/** The other objects applied alongside the workloads (Services, ConfigMaps, routing). */
export function otherResourcesNote(applied: KubeObject[]): string[] {
  const others = applied.filter((object) => !isWorkload(object)).map(objectRef);
  return others.length > 0 ? [`Also applied: ${others.join(', ')}.`] : [];
}

/** Why the rollout failed, for the job's error: which workloads, what kubectl said, diagnostics. */
export function failureMessage(
  headline: string,
  failed: WaitResult[],
  diagnostics: string,
): string {
  const reasons = failed.map((wait) => `${objectRef(wait.object)}: ${wait.message}`);
  return [headline, ...reasons, diagnostics].filter(Boolean).join('\n');
}

export async function rollingDeploy(
  dc: DeployContext,
  objects: KubeObject[],
  earlierNotes: string[] = [],
): Promise<StrategyOutcome> {
  const result = await applyAndWait(dc, objects);
  const workloads = describeWorkloads(result.applied, result.waits);
  const notes = [...earlierNotes, ...otherResourcesNote(result.applied)];
  const deployed = deployedResources(result.applied);
  if (result.failed.length === 0) return { rollout: 'succeeded', deployed, workloads, notes };

  const diagnostics = await diagnose(
    dc,
    result.failed.map((wait) => wait.object),
  );
  const toUndo = changedWorkloads(dc, result.applied);
  if (!dc.inputs.rollbackOnFailure || toUndo.length === 0) {
    const why = dc.inputs.rollbackOnFailure
      ? 'nothing ran before to roll back to'
      : 'rollback-on-failure is false';
    return {
      rollout: 'failed',
      deployed,
      workloads,
      notes,
      failure: failureMessage(
        `The rollout failed and was not rolled back (${why}).`,
        result.failed,
        diagnostics,
      ),
    };
  }
  const restored = await rollBack(dc, toUndo);
  // What runs now: the undone workloads are back at their previous version.
  const running = result.applied.map((object) =>
    toUndo.includes(object) ? (before(dc, object) ?? object) : object,
  );
  const unhealthy = restored.filter((wait) => !wait.ready);
  const names = toUndo.map(objectRef).join(', ');
  const headline =
    unhealthy.length === 0
      ? `The rollout failed; rolled back ${names} to the previous version, which is serving again.`
      : `The rollout failed; rolled back ${names}, but ${unhealthy.map((w) => objectRef(w.object)).join(', ')} did not become healthy again.`;
  return {
    rollout: 'rolled-back',
    deployed: deployedResources(running),
    workloads: describeWorkloads(running, [
      ...result.waits.filter((w) => !toUndo.includes(w.object)),
      ...restored,
    ]),
    notes: [...notes, `rolled back: ${names}`],
    failure: failureMessage(headline, result.failed, diagnostics),
  };
}
