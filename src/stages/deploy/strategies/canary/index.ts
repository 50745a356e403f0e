// Canary deploy, promote and reject. Everything a later step needs (which canaries run, which
// traffic split made them) is read back from the cluster, so the three can run in different
// jobs or workflows.
import * as core from '@actions/core';
import { sleep } from '../../../../lib/sleep';
import {
  canarySplit,
  liveCanaries,
  planCanary,
  planCanaryRemoval,
  promotedManifests,
  staleCanaries,
} from './plan';
import { findLive } from '../../live';
import { stableNameOf, startedByK8sDeploy } from './tracks';
import type { KubeObject, TrafficSplit } from '../../model';
import { objectRef, SCALABLE_KINDS } from '../../workloads';
import {
  applyAndWait,
  deployedResources,
  describeWorkloads,
  diagnose,
  failureMessage,
  otherResourcesNote,
  rollingDeploy,
  replacedFailure,
  type DeployContext,
  type StrategyOutcome,
} from '../rolling';

/** How long a router takes to load a changed route (Traefik watches the API: ~1 s). */
const ROUTER_SETTLE_MS = 2000;

export async function deployCanary(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  const { inputs } = dc;
  const plan = planCanary(manifests, dc.live, {
    split: inputs.trafficSplit,
    percentage: inputs.canaryPercentage,
    canaryReplicas: inputs.canaryReplicas,
    baseline: inputs.canaryBaseline,
    namespace: inputs.namespace,
    trafficSplitAnnotations: inputs.trafficSplitAnnotations,
  });
  if (plan.canaries.length === 0) {
    const note = 'No stable version runs yet: deployed the manifests as the stable version.';
    core.info(note);
    return rollingDeploy(dc, manifests, [note]);
  }
  const notes: string[] = [];
  const stale = staleCanaries(
    liveCanaries(manifests, dc.live, inputs.namespace),
    plan,
    inputs.trafficSplit,
  );
  if (stale.length > 0) {
    // Made another way (split or labels changed): start the canary afresh.
    await removeCanaryObjects(dc, manifests, canarySplit(stale, inputs.trafficSplit));
    notes.push(
      `Replaced ${stale.map(objectRef).join(', ')}: it was made with other routing or labels.`,
    );
  }
  for (const object of plan.newStable)
    notes.push(`${objectRef(object)} was not running yet: deployed as stable.`);
  for (const object of plan.deferred)
    notes.push(`${objectRef(object)} cannot run as a canary; it changes at promote.`);
  for (const canary of plan.canaries) {
    notes.push(
      `${objectRef(canary)}: ${canary.spec.replicas} replica(s), ${inputs.canaryPercentage}% of traffic by ${inputs.trafficSplit} split.`,
    );
  }
  notes.forEach((note) => core.info(note));

  // If this process is killed from here on, the post step takes the canary away.
  const removal = planCanaryRemoval(manifests, inputs.trafficSplit);
  dc.journal.record({ canary: { remove: removal.remove, restore: removal.restore } });
  // The weighted routes go in once the canary is ready: a route sent to a canary whose
  // endpoints are not ready yet answers 503 for the canary's share (seen through Traefik).
  const weighted = plan.routes.filter((route) => route.kind !== 'Service');
  let result;
  try {
    result = await applyAndWait(
      dc,
      plan.apply.filter((object) => !weighted.includes(object)),
    );
    if (!result.cancelled && result.failed.length === 0 && weighted.length > 0) {
      const routed = await dc.kube.apply(weighted, inputs);
      for (const route of routed)
        core.info(`applied ${objectRef(route)}: ${inputs.canaryPercentage} % to the canary`);
      result.applied.push(...routed);
    }
  } catch (err) {
    // kubectl applies what it can; take away any canary objects so stable runs as before.
    await removeCanaryObjects(dc, manifests, inputs.trafficSplit).catch(() => undefined);
    throw err;
  }
  const workloads = describeWorkloads(result.applied, result.waits);
  notes.push(...otherResourcesNote(result.applied));
  const deployed = deployedResources(result.applied);
  if (result.cancelled) {
    await removeCanaryObjects(dc, manifests, inputs.trafficSplit);
    return {
      rollout: 'cancelled',
      deployed: [],
      workloads: [],
      notes,
      failure: `Cancelled (${dc.cancellation.signal}) while waiting for the canary: removed it; all traffic goes to the stable version, which was not touched.`,
    };
  }
  const unreachable = result.failed.filter((wait) => wait.unreachable);
  if (unreachable.length > 0) {
    return {
      rollout: 'unverified',
      deployed,
      workloads,
      notes,
      failure: `Cannot tell whether the canary became ready: ${unreachable[0].message}. The canary was left running beside the untouched stable version; reject it (deploy-action: reject) or deploy again once the API server answers.`,
    };
  }
  if (result.failed.length === 0) {
    const replaced = await replacedFailure(dc, result.applied, 'The canary is ready', notes);
    if (replaced) return { rollout: 'failed', deployed, workloads, notes, failure: replaced };
    return { rollout: 'canary-ready', deployed, workloads, notes };
  }

  // A canary that never becomes ready goes away; stable was never touched.
  const diagnostics = await diagnose(
    dc,
    result.failed.map((wait) => wait.object),
  );
  await removeCanaryObjects(dc, manifests, inputs.trafficSplit);
  return {
    rollout: 'rolled-back',
    deployed,
    workloads,
    notes,
    failure: failureMessage(
      'The canary did not become ready; removed it. The stable version was not touched.',
      result.failed,
      diagnostics,
    ),
  };
}

/** The running canaries, or an error a user can act on. Runs before anything is applied. */
export function requireCanaries(dc: DeployContext, manifests: KubeObject[]): KubeObject[] {
  const canaries = liveCanaries(manifests, dc.live, dc.inputs.namespace);
  if (canaries.length === 0) {
    const names = manifests
      .filter((o) => SCALABLE_KINDS.includes(o.kind))
      .map((o) => `${o.metadata.name}-canary`);
    const where = dc.inputs.namespace ? ` in namespace ${dc.inputs.namespace}` : '';
    throw new Error(
      `Cannot ${dc.inputs.action}: no canary runs${where} (looked for ${names.join(', ') || 'Deployments, StatefulSets or ReplicaSets in the manifests'}). Run with deploy-action: deploy and strategy: canary first.`,
    );
  }
  const fromPeer = canaries.filter(startedByK8sDeploy);
  if (fromPeer.length > 0 && dc.inputs.trafficSplit !== 'pod') {
    // k8s-deploy's SMI canary has its own stable copy (`<name>-stable`) and TrafficSplit
    // (`<service>-workflow-rollout`), which Gantry's routing does not know.
    throw new Error(
      `Cannot ${dc.inputs.action} ${fromPeer.map(objectRef).join(', ')}: Azure/k8s-deploy started it, and Gantry takes over k8s-deploy canaries of traffic-split-method pod only. Finish this one with Azure/k8s-deploy (action: ${dc.inputs.action}, traffic-split-method: ${dc.inputs.trafficSplit}), then deploy with Gantry. Nothing was changed.`,
    );
  }
  return canaries;
}

function peerNotes(canaries: KubeObject[]): string[] {
  const fromPeer = canaries.filter(startedByK8sDeploy);
  return fromPeer.length > 0
    ? [`${fromPeer.map(objectRef).join(', ')}: started by Azure/k8s-deploy, taken over by Gantry.`]
    : [];
}

async function removeCanaryObjects(
  dc: DeployContext,
  manifests: KubeObject[],
  split: TrafficSplit,
): Promise<void> {
  const removal = planCanaryRemoval(manifests, split);
  // Routing first, so no request is sent to a backend that is about to disappear; a router
  // needs a moment to load the restored route (Traefik answered 503 for deleted backends).
  await dc.kube.apply(removal.restore, dc.inputs);
  if (split !== 'pod' && removal.restore.length > 0) await sleep(ROUTER_SETTLE_MS);
  await dc.kube.delete(removal.remove);
}

async function removeCanary(
  dc: DeployContext,
  manifests: KubeObject[],
  canaries: KubeObject[],
): Promise<void> {
  await removeCanaryObjects(dc, manifests, canarySplit(canaries, dc.inputs.trafficSplit));
  core.info(
    `removed canary and baseline objects of ${canaries.map((c) => c.metadata.name).join(', ')}`,
  );
}

export async function promoteCanary(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  const canaries = requireCanaries(dc, manifests);
  const split = canarySplit(canaries, dc.inputs.trafficSplit);
  const restore = planCanaryRemoval(manifests, split).restore;
  // Rerouted objects (HTTPRoutes) are restored after the rollout, with the canary's removal.
  const stable = promotedManifests(manifests, canaries).filter(
    (object) => !restore.includes(object),
  );
  const outcome = await rollingDeploy(dc, stable);
  if (outcome.rollout !== 'succeeded') {
    return {
      ...outcome,
      notes: [...outcome.notes, 'The canary still runs: promote again or reject it.'],
    };
  }
  await removeCanary(dc, manifests, canaries);
  return { ...outcome, rollout: 'promoted', notes: [...outcome.notes, ...peerNotes(canaries)] };
}

export async function rejectCanary(
  dc: DeployContext,
  manifests: KubeObject[],
): Promise<StrategyOutcome> {
  const canaries = requireCanaries(dc, manifests);
  await removeCanary(dc, manifests, canaries);
  // Stable was not touched; check it is healthy all the same before calling this a success.
  const stable = manifests
    .map((object) => findLive(dc.live, object, dc.inputs.namespace))
    .filter((object): object is KubeObject => object !== undefined);
  const waits = await dc.kube.waitAll(
    stable,
    dc.inputs.rolloutTimeoutSeconds,
    dc.cancellation.stop,
  );
  const failed = waits.filter((wait) => !wait.ready);
  const outcome: StrategyOutcome = {
    rollout: 'rejected',
    deployed: deployedResources(stable),
    workloads: describeWorkloads(stable, waits),
    notes: [`Rejected the canary of ${canaries.map(stableNameOf).join(', ')}.`],
  };
  if (dc.cancellation.requested) {
    outcome.failure = `Cancelled (${dc.cancellation.signal}) after the canary was removed, before the stable version was confirmed healthy.`;
  } else if (failed.length > 0) {
    const diagnostics = await diagnose(
      dc,
      failed.map((wait) => wait.object),
    );
    outcome.failure = failureMessage(
      'Rejected the canary, but the stable version is not healthy.',
      failed,
      diagnostics,
    );
  }
  return outcome;
}
