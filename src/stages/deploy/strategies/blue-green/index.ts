// Blue-green with k8s-deploy's vocabulary: `deploy` runs `<name>-green` beside the running
// version (blue), waits until it is ready, waits `version-switch-buffer`, optionally judges it
// (analysis.ts), then moves the traffic to green by `route-method`; `promote` rolls blue to the
// new version while green serves, sends traffic back to it and deletes green; `reject` sends
// traffic back to blue and deletes green. Each step reads the cluster, so they may run in
// different jobs.
import * as core from '@actions/core';
import { sleep } from '../../../../lib/sleep';
import { findLive } from '../../live';
import { ROUTE_METHODS, type KubeObject, type RouteMethod } from '../../model';
import { objectRef, withImagesOfCopies } from '../../workloads';
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
import { judgedSwitch } from './analysis';
import { greenName, recordedRouteMethod } from './green';
import { planBlueGreen, type BlueGreenPlan } from './plan';
import { switchBack, switchBackToBlue, switchToGreen, workloadsOf } from './switching';

function liveGreens(dc: DeployContext, manifests: KubeObject[]): KubeObject[] {
  return workloadsOf(manifests)
    .map((w) => findLive(dc.live, w, dc.inputs.namespace, greenName(w.metadata.name)))
    .filter((object): object is KubeObject => object !== undefined);
}

/** The route method a running green was switched by; the input's when it records none. */
function methodOf(dc: DeployContext, greens: KubeObject[]): RouteMethod {
  const recorded = recordedRouteMethod(greens);
  return (ROUTE_METHODS as readonly string[]).includes(recorded ?? '')
    ? (recorded as RouteMethod)
    : dc.inputs.routeMethod;
}

function planFor(dc: DeployContext, manifests: KubeObject[], method: RouteMethod): BlueGreenPlan {
  return planBlueGreen(manifests, {
    method,
    trafficSplitAnnotations: dc.inputs.trafficSplitAnnotations,
  });
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
  const greens = liveGreens(dc, manifests);
  const previous = methodOf(dc, greens);
  if (greens.length > 0 && previous !== inputs.routeMethod)
    // Its switch is undone by its own method's routing, which this run would not touch.
    throw new Error(
      `${greens.map(objectRef).join(', ')} was switched by route-method ${previous}: finish it with route-method ${previous} (deploy-action: promote or reject) before deploying with route-method ${inputs.routeMethod}. Nothing was changed.`,
    );
  const plan = planFor(dc, manifests, inputs.routeMethod);
  const notes = running.map(
    (w) => `${greenName(w.metadata.name)} runs the new version beside ${objectRef(w)} (blue).`,
  );
  // Killed from here on, the post step sends traffic back to blue and removes green.
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
  const ready = { deployed, workloads, notes };
  if (inputs.progressive) return judgedSwitch(dc, manifests, plan, inputs.progressive, ready);
  notes.push(`${await switchToGreen(dc, plan)}; blue keeps running until promote or reject.`);
  return { rollout: 'switched', ...ready };
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
  const greens = requireGreen(dc, manifests);
  const plan = planFor(dc, manifests, methodOf(dc, greens));
  // Blue rolls to green's images (what was judged, whatever this job pins) while green takes
  // the traffic; then the traffic goes back.
  const outcome = await rollingDeploy(
    dc,
    withImagesOfCopies(manifests, greens, greenName).filter(
      (object) => !plan.restore.includes(object),
    ),
  );
  if (outcome.rollout !== 'succeeded')
    return {
      ...outcome,
      notes: [...outcome.notes, 'Green still serves: promote again or reject it.'],
    };
  await switchBack(dc, plan);
  return {
    ...outcome,
    rollout: 'promoted',
    notes: [
      ...outcome.notes,
      `Promoted: traffic goes to the new version under the manifests' names (route-method ${plan.method}); green removed.`,
    ],
  };
}

export async function rejectBlueGreen(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  const plan = planFor(dc, manifests, methodOf(dc, requireGreen(dc, manifests)));
  return switchBackToBlue(dc, manifests, plan);
}
