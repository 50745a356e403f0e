// Rolling deploy: one batched apply, wait for every workload's rollout, and when one fails,
// undo exactly the workloads this run changed, to the revision they had before, so the
// previous version keeps serving. Canary promote reuses these steps for the stable workloads.
import * as core from '@actions/core';
import type { Cancellation } from '../../../lib/cancellation';
import { errorMessage } from '../../../lib/errors';
import { CancelledBeforeApply } from '../concurrency';
import { containersToLog, LOG_LINE_LIMIT, rolloutDiagnostics } from '../diagnostics';
import { isStillOurs, templateFingerprint, type Journal, type UndoRecord } from '../journal';
import { KubectlError, type WaitResult } from '../kubectl';
import type { Kubectl } from '../kubectl';
import type { ProgressiveReport } from '../progressive/summary';
import { liveKey, type LiveObjects } from '../live';
import { settledRollout } from '../rollout-state';
import type {
  DeployedResource,
  DeployInputs,
  KubeObject,
  RolloutOutcome,
  WorkloadStatus,
} from '../model';
import { trackOf } from './canary/tracks';
import {
  imagesOf,
  isWorkload,
  objectRef,
  podTemplateOf,
  replicasOf,
  ROLLOUT_KINDS,
  SCALABLE_KINDS,
} from '../workloads';

export interface DeployContext {
  kube: Kubectl;
  inputs: DeployInputs;
  /** The cluster's objects as they were before this run applied anything. */
  live: LiveObjects;
  /** A signal stops the waits (`stop`) and leaves the runner's grace period for the undo. */
  cancellation: Cancellation;
  /** What this run changed, kept for the post step. */
  journal: Journal;
  /** Reads the cluster's objects again (a progressive canary's promote or reject needs it). */
  reread?: () => Promise<LiveObjects>;
  /** Reports progress to the GitHub deployment (`environment`), when there is one. */
  progress?: (description: string) => Promise<void>;
}

export interface StrategyOutcome {
  rollout: RolloutOutcome;
  deployed: DeployedResource[];
  workloads: WorkloadStatus[];
  notes: string[];
  failure?: string;
  /** A progressive canary's steps and analyses, for the summary. */
  progressive?: ProgressiveReport;
}

export interface AppliedRollout {
  applied: KubeObject[];
  waits: WaitResult[];
  failed: WaitResult[];
  /** A signal arrived: the waits were stopped and this run's changes must be undone. */
  cancelled: boolean;
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** Workloads of the batch that exist already: what an undo would go back to, before applying. */
function undoRecords(dc: DeployContext, objects: KubeObject[]): UndoRecord[] {
  return objects
    .filter((object) => ROLLOUT_KINDS.includes(object.kind) && before(dc, object))
    .map((object) => ({
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? dc.inputs.namespace,
      revision:
        (object.kind === 'Deployment'
          ? before(dc, object)?.metadata.annotations?.[REVISION_ANNOTATION]
          : undefined) ?? '',
      images: imagesOf(object),
      fingerprint: '',
    }));
}

/**
 * Applies the batch and waits for every workload in it, all at once. With `undoable`, the
 * workloads that existed are recorded first, so the post step can put them back if this
 * process is killed before it can.
 */
export async function applyAndWait(
  dc: DeployContext,
  objects: KubeObject[],
  undoable = false,
): Promise<AppliedRollout> {
  if (dc.cancellation.requested) throw new CancelledBeforeApply(String(dc.cancellation.signal));
  if (undoable) dc.journal.record({ undo: undoRecords(dc, objects) });
  const applied = await dc.kube.apply(objects, dc.inputs);
  for (const object of applied)
    core.info(
      `applied ${objectRef(object)}${object.metadata.namespace ? ` in ${object.metadata.namespace}` : ''}`,
    );
  if (undoable) {
    const changed = changedWorkloads(dc, applied);
    dc.journal.record({
      undo: undoRecords(dc, changed).map((record, i) => ({
        ...record,
        fingerprint: templateFingerprint(changed[i]),
      })),
    });
  }
  const waits = dc.cancellation.requested ? [] : await waitForApplied(dc, applied);
  for (const wait of waits.filter((w) => !w.cancelled))
    core.info(
      `${objectRef(wait.object)}: ${wait.ready ? 'ready' : wait.unreachable ? 'unknown' : 'NOT ready'} (${wait.message})`,
    );
  return {
    applied,
    waits,
    failed: waits.filter((wait) => !wait.ready),
    cancelled: dc.cancellation.requested,
  };
}

/**
 * Waits for the applied workloads; one the server returned already rolled out (the apply
 * changed nothing that rolls) is ready without asking kubectl again.
 */
async function waitForApplied(dc: DeployContext, applied: KubeObject[]): Promise<WaitResult[]> {
  const workloads = applied.filter(isWorkload);
  const settled = workloads.map(settledRollout);
  const waited = await dc.kube.waitAll(
    workloads.filter((_, i) => settled[i] === undefined),
    dc.inputs.rolloutTimeoutSeconds,
    dc.cancellation.stop,
  );
  return workloads.map((object, i) => {
    const message = settled[i];
    return message !== undefined ? { object, ready: true, message } : waited.shift()!;
  });
}

/** The object as it was before this run (applied objects carry their namespace, manifests may not). */
function before(dc: DeployContext, object: KubeObject): KubeObject | undefined {
  return dc.live.get(
    liveKey(object.kind, object.metadata.namespace ?? dc.inputs.namespace, object.metadata.name),
  );
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

export interface RollBack {
  /** The workloads undone, as they are waited for: healthy again or not. */
  restored: WaitResult[];
  /** Workloads someone else changed since this run applied them: left as they are. */
  replaced: { object: KubeObject; images: string[] }[];
  /** Undos that failed (the API server unreachable, say). */
  errors: string[];
}

/**
 * Undoes the changed workloads to their recorded revisions and waits until they are healthy,
 * but only those still running the template this run applied: a newer deploy stays.
 */
export async function rollBack(
  dc: DeployContext,
  changed: KubeObject[],
  wait: { timeoutSeconds: number; signal?: AbortSignal } = {
    timeoutSeconds: dc.inputs.rolloutTimeoutSeconds,
  },
): Promise<RollBack> {
  const outcome: RollBack = { restored: [], replaced: [], errors: [] };
  let current: KubeObject[];
  try {
    current = await dc.kube.read(changed);
  } catch (err) {
    outcome.errors.push(
      `could not read ${changed.map(objectRef).join(', ')}: ${errorMessage(err)}`,
    );
    return outcome;
  }
  const ours = changed.filter((object) => {
    const now = current.find(
      (item) =>
        item.kind === object.kind &&
        item.metadata.name === object.metadata.name &&
        (item.metadata.namespace ?? '') === (object.metadata.namespace ?? ''),
    );
    if (!now) return false;
    const record = { images: imagesOf(object), fingerprint: templateFingerprint(object) };
    if (isStillOurs(record, now)) return true;
    outcome.replaced.push({ object, images: imagesOf(now) });
    return false;
  });
  const undone: KubeObject[] = [];
  await Promise.all(
    ours.map(async (object) => {
      const revision =
        object.kind === 'Deployment'
          ? before(dc, object)?.metadata.annotations?.[REVISION_ANNOTATION]
          : undefined;
      core.info(`rolling back ${objectRef(object)}${revision ? ` to revision ${revision}` : ''}`);
      try {
        await dc.kube.undo(object, revision);
        undone.push(object);
      } catch (err) {
        const why = err instanceof KubectlError && err.transport ? ' (API server unreachable)' : '';
        outcome.errors.push(`could not roll back ${objectRef(object)}${why}: ${errorMessage(err)}`);
      }
    }),
  );
  outcome.restored = await dc.kube.waitAll(undone, wait.timeoutSeconds, wait.signal);
  return outcome;
}

/** After a successful rollout: the workloads still run what this run applied, or who replaced them. */
export async function verifyRunning(
  dc: DeployContext,
  applied: KubeObject[],
): Promise<{ replaced: string[]; unchecked?: string }> {
  const workloads = applied.filter(
    (object) => ROLLOUT_KINDS.includes(object.kind) || SCALABLE_KINDS.includes(object.kind),
  );
  if (workloads.length === 0) return { replaced: [] };
  let current: KubeObject[];
  try {
    current = await dc.kube.read(workloads);
  } catch (err) {
    return { replaced: [], unchecked: errorMessage(err) };
  }
  const replaced: string[] = [];
  for (const object of workloads) {
    const now = current.find(
      (item) => item.kind === object.kind && item.metadata.name === object.metadata.name,
    );
    if (!now) {
      replaced.push(`${objectRef(object)} no longer exists (deleted after this run applied it)`);
    } else if (templateFingerprint(now) !== templateFingerprint(object)) {
      replaced.push(
        `${objectRef(object)} now runs ${imagesOf(now).join(', ')}, not this run's ${imagesOf(object).join(', ')}: another deploy replaced it after this run applied it`,
      );
    }
  }
  return { replaced };
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

/**
 * After the rollout: a failure message when what runs is not what this run applied (a note
 * when that could not be checked), else undefined.
 */
export async function replacedFailure(
  dc: DeployContext,
  applied: KubeObject[],
  what: string,
  notes: string[],
): Promise<string | undefined> {
  const check = await verifyRunning(dc, applied);
  if (check.unchecked) notes.push(`Could not check afterwards what runs: ${check.unchecked}`);
  if (check.replaced.length === 0) return undefined;
  return [`${what}, but what runs is not what this run deployed:`, ...check.replaced].join('\n');
}

/**
 * "deployment/web was last seen with X applied by this run (generation 2; the previous version
 * is revision 1); at the apply 2 of 2 pods were ready, 0 updated; kubectl last reported …".
 */
function lastSeenLine(dc: DeployContext, wait: WaitResult): string {
  const revision = before(dc, wait.object)?.metadata.annotations?.[REVISION_ANNOTATION];
  const previous = revision ? `; the previous version is revision ${revision}` : '';
  const status = wait.object.status;
  const counts =
    status && typeof status.replicas === 'number'
      ? `; at the apply ${status.readyReplicas ?? 0} of ${status.replicas} pods were ready, ${status.updatedReplicas ?? 0} updated`
      : '';
  const said = wait.lastSeen ? `; kubectl last reported "${wait.lastSeen}"` : '';
  return `${objectRef(wait.object)} was last seen with ${imagesOf(wait.object).join(', ')} applied by this run (generation ${wait.object.metadata.generation ?? '?'}${previous})${counts}${said}.`;
}

function cancelledHeadline(dc: DeployContext, what: string): string {
  return `Cancelled (${dc.cancellation.signal}) while waiting for the rollout: ${what}`;
}

/** The undo of a rollout, in words: what was rolled back and whether it is healthy again. */
function rollBackLines(result: RollBack, names: string): string[] {
  const lines: string[] = [];
  const unhealthy = result.restored.filter((wait) => !wait.ready);
  if (result.restored.length > 0) {
    lines.push(
      unhealthy.length === 0
        ? `rolled back ${result.restored.map((w) => objectRef(w.object)).join(', ')} to the previous version, which is serving again.`
        : `rolled back ${names}, but ${unhealthy.map((w) => objectRef(w.object)).join(', ')} did not become healthy again (${unhealthy.map((w) => w.message).join('; ')}).`,
    );
  }
  for (const replaced of result.replaced)
    lines.push(
      `${objectRef(replaced.object)} was not rolled back: it now runs ${replaced.images.join(', ')}, deployed by someone else after this run.`,
    );
  lines.push(...result.errors);
  return lines;
}

export async function rollingDeploy(
  dc: DeployContext,
  objects: KubeObject[],
  earlierNotes: string[] = [],
): Promise<StrategyOutcome> {
  const result = await applyAndWait(dc, objects, true);
  const workloads = describeWorkloads(result.applied, result.waits);
  const notes = [...earlierNotes, ...otherResourcesNote(result.applied)];
  const deployed = deployedResources(result.applied);
  const toUndo = changedWorkloads(dc, result.applied);

  if (result.cancelled) {
    if (toUndo.length === 0) {
      return {
        rollout: 'cancelled',
        deployed,
        workloads,
        notes,
        failure: cancelledHeadline(dc, 'nothing ran before to roll back to; the new objects stay.'),
      };
    }
    // Inside the runner's grace period: undo now, wait for health only while time is left.
    const undone = await rollBack(dc, toUndo, {
      timeoutSeconds: Math.max(1, dc.cancellation.remainingMs(3000) / 1000),
      signal: dc.cancellation.hurry,
    });
    const running = result.applied.map((object) =>
      undone.restored.some((w) => w.object === object) ? (before(dc, object) ?? object) : object,
    );
    return {
      rollout: 'cancelled',
      deployed: deployedResources(running),
      workloads: describeWorkloads(running, undone.restored),
      notes: [
        ...notes,
        `cancelled; rolled back: ${undone.restored.map((w) => objectRef(w.object)).join(', ') || 'nothing'}`,
      ],
      failure: cancelledHeadline(
        dc,
        rollBackLines(undone, toUndo.map(objectRef).join(', '))
          .join(' ')
          .replace(/\(the wait was cancelled\)/, '(the job was cancelled before it was confirmed)'),
      ),
    };
  }

  if (result.failed.length === 0) {
    const replaced = await replacedFailure(dc, result.applied, 'The rollout finished', notes);
    if (replaced) return { rollout: 'failed', deployed, workloads, notes, failure: replaced };
    return { rollout: 'succeeded', deployed, workloads, notes };
  }

  const unreachable = result.failed.filter((wait) => wait.unreachable);
  if (unreachable.length > 0) {
    // No verdict: rolling back a release that may be healthy would be a guess. Say what is known.
    return {
      rollout: 'unverified',
      deployed,
      workloads,
      notes,
      failure: [
        `Cannot tell whether the rollout succeeded: ${unreachable[0].message}. Nothing was rolled back.`,
        ...result.failed.map((wait) => lastSeenLine(dc, wait)),
        `Check once the API server answers, e.g. kubectl rollout status ${objectRef(unreachable[0].object)}${unreachable[0].object.metadata.namespace ? ` -n ${unreachable[0].object.metadata.namespace}` : ''}.`,
      ].join('\n'),
    };
  }

  const diagnostics = await diagnose(
    dc,
    result.failed.map((wait) => wait.object),
  );
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
  // A signal during this wait ends it; the undo itself is already done.
  const undone = await rollBack(dc, toUndo, {
    timeoutSeconds: dc.inputs.rolloutTimeoutSeconds,
    signal: dc.cancellation.stop,
  });
  // What runs now: the undone workloads are back at their previous version.
  const running = result.applied.map((object) =>
    undone.restored.some((w) => w.object === object) ? (before(dc, object) ?? object) : object,
  );
  const names = toUndo.map(objectRef).join(', ');
  const headline = `The rollout failed; ${rollBackLines(undone, names).join(' ')}`;
  return {
    rollout: undone.restored.length > 0 ? 'rolled-back' : 'failed',
    deployed: deployedResources(running),
    workloads: describeWorkloads(running, [
      ...result.waits.filter((w) => !toUndo.includes(w.object)),
      ...undone.restored,
    ]),
    notes: [
      ...notes,
      `rolled back: ${undone.restored.map((w) => objectRef(w.object)).join(', ') || 'nothing'}`,
    ],
    failure: failureMessage(headline, result.failed, diagnostics),
  };
}
