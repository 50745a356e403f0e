// Blue-green with k8s-deploy's vocabulary: `deploy` runs `<name>-green` beside the running
// version (blue), waits until it is ready, waits `version-switch-buffer`, then points the
// Services at green (route-method service); `promote` rolls blue to the new version while
// green serves, points the Services back and deletes green; `reject` points the Services back
// at blue and deletes green. Each step reads the cluster, so they may run in different jobs.
import * as core from '@actions/core';
import { sleep } from '../../../../lib/sleep';
import { findLive } from '../../live';
import type { KubeObject } from '../../model';
import { objectRef, SCALABLE_KINDS } from '../../workloads';
import {
  applyAndWait,
  deployedResources,
  describeWorkloads,
  diagnose,
  failureMessage,
  rollingDeploy,
  type DeployContext,
  type StrategyOutcome,
} from '../rolling';
import { greenName, planBlueGreen } from './plan';

/** How long kube-proxy and the endpoints take to follow a Service's new selector. */
const SWITCH_SETTLE_MS = 2000;

function workloadsOf(manifests: KubeObject[]): KubeObject[] {
  return manifests.filter((object) => SCALABLE_KINDS.includes(object.kind));
}

function liveGreens(dc: DeployContext, manifests: KubeObject[]): KubeObject[] {
  return workloadsOf(manifests)
    .map((w) => findLive(dc.live, w, dc.inputs.namespace, greenName(w.metadata.name)))
    .filter((object): object is KubeObject => object !== undefined);
}

/** Services back as written (blue, or the promoted workloads), then green deleted. */
async function switchBack(dc: DeployContext, manifests: KubeObject[]): Promise<void> {
  const plan = planBlueGreen(manifests);
  await dc.kube.apply(plan.restore, dc.inputs);
  await sleep(SWITCH_SETTLE_MS);
  await dc.kube.delete(plan.remove);
}

export async function deployBlueGreen(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  const { inputs } = dc;
  const running = workloadsOf(manifests).filter((w) => findLive(dc.live, w, inputs.namespace));
  if (running.length === 0) {
    const note = 'No version runs yet: deployed the manifests as the first (blue) version.';
    core.info(note);
    return rollingDeploy(dc, manifests, [note]);
  }
  const plan = planBlueGreen(manifests);
  if (plan.switched.length === 0)
    throw new Error(
      `route-method service switches the Services that select ${running.map(objectRef).join(', ')}, and the manifests have none; add the Service to the manifests`,
    );
  const notes = running.map(
    (w) => `${greenName(w.metadata.name)} runs the new version beside ${objectRef(w)} (blue).`,
  );
  // Killed from here on, the post step points the Services back and removes green.
  dc.journal.record({ canary: { remove: plan.remove, restore: plan.restore } });
  const result = await applyAndWait(dc, plan.green);
  const workloads = describeWorkloads(result.applied, result.waits);
  const deployed = deployedResources(result.applied);
  if (result.cancelled) {
    await dc.kube.delete(plan.remove);
    return {
      rollout: 'cancelled',
      deployed: [],
      workloads: [],
      notes,
      failure: `Cancelled (${dc.cancellation.signal}) while green was starting: removed it; blue serves as before.`,
    };
  }
  const unreachable = result.failed.filter((wait) => wait.unreachable);
  if (unreachable.length > 0)
    return {
      rollout: 'unverified',
      deployed,
      workloads,
      notes,
      failure: `Cannot tell whether green became ready: ${unreachable[0].message}. Blue still serves; green was left running: reject it (deploy-action: reject) or deploy again once the API server answers.`,
    };
  if (result.failed.length > 0) {
    const diagnostics = await diagnose(
      dc,
      result.failed.map((wait) => wait.object),
    );
    await dc.kube.delete(plan.remove);
    return {
      rollout: 'rolled-back',
      deployed,
      workloads,
      notes,
      failure: failureMessage(
        'Green did not become ready; removed it. Blue was not touched and still serves.',
        result.failed,
        diagnostics,
      ),
    };
  }
  if (inputs.versionSwitchBufferMinutes > 0) {
    core.info(`version-switch-buffer: ${inputs.versionSwitchBufferMinutes} min before the switch`);
    await sleep(inputs.versionSwitchBufferMinutes * 60_000, dc.cancellation.stop);
    if (dc.cancellation.requested) {
      await dc.kube.delete(plan.remove);
      return {
        rollout: 'cancelled',
        deployed: [],
        workloads: [],
        notes,
        failure: `Cancelled (${dc.cancellation.signal}) before the switch: removed green; blue serves as before.`,
      };
    }
  }
  await dc.kube.apply(plan.switched, inputs);
  notes.push(
    `Switched ${plan.switched.map(objectRef).join(', ')} to green; blue keeps running until promote or reject.`,
  );
  notes.forEach((note) => core.info(note));
  return { rollout: 'switched', deployed, workloads, notes };
}

function requireGreen(dc: DeployContext, manifests: KubeObject[]): KubeObject[] {
  const greens = liveGreens(dc, manifests);
  if (greens.length === 0) {
    const where = dc.inputs.namespace ? ` in namespace ${dc.inputs.namespace}` : '';
    throw new Error(
      `Cannot ${dc.inputs.action}: no green version runs${where} (looked for ${workloadsOf(
        manifests,
      )
        .map((w) => greenName(w.metadata.name))
        .join(', ')}). Run with deploy-action: deploy and strategy: blue-green first.`,
    );
  }
  return greens;
}

export async function promoteBlueGreen(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  requireGreen(dc, manifests);
  const plan = planBlueGreen(manifests);
  // Blue rolls to the new version while green takes the traffic; then the Services go back.
  const outcome = await rollingDeploy(
    dc,
    manifests.filter((object) => !plan.restore.includes(object)),
  );
  if (outcome.rollout !== 'succeeded')
    return {
      ...outcome,
      notes: [...outcome.notes, 'Green still serves: promote again or reject it.'],
    };
  await switchBack(dc, manifests);
  return {
    ...outcome,
    rollout: 'promoted',
    notes: [...outcome.notes, 'Promoted: the Services select the new version; green removed.'],
  };
}

export async function rejectBlueGreen(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  requireGreen(dc, manifests);
  await switchBack(dc, manifests);
  const blue = workloadsOf(manifests)
    .map((w) => findLive(dc.live, w, dc.inputs.namespace))
    .filter((object): object is KubeObject => object !== undefined);
  const waits = await dc.kube.waitAll(blue, dc.inputs.rolloutTimeoutSeconds, dc.cancellation.stop);
  const failed = waits.filter((wait) => !wait.ready);
  const outcome: StrategyOutcome = {
    rollout: 'rejected',
    deployed: deployedResources(blue),
    workloads: describeWorkloads(blue, waits),
    notes: ['Rejected green: the Services select blue again; green removed.'],
  };
  if (failed.length > 0)
    outcome.failure = failureMessage(
      'Switched back to blue, but blue is not healthy.',
      failed,
      await diagnose(
        dc,
        failed.map((wait) => wait.object),
      ),
    );
  return outcome;
}
