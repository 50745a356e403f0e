// The switch and the way back, for deploy, promote, reject and the analysis alike. Routing
// changes first and deletes come after a pause, so no request is sent to a backend that is
// about to disappear.
import * as core from '@actions/core';
import { sleep } from '../../../../lib/sleep';
import { findLive } from '../../live';
import type { KubeObject } from '../../model';
import { objectRef, SCALABLE_KINDS } from '../../workloads';
import {
  deployedResources,
  describeWorkloads,
  diagnose,
  failureMessage,
  type DeployContext,
  type StrategyOutcome,
} from '../rolling';
import type { BlueGreenPlan } from './plan';

/** How long kube-proxy, the endpoints or a router (Traefik watches the API: ~1 s) take to follow. */
export const SWITCH_SETTLE_MS = 2000;

export function workloadsOf(manifests: KubeObject[]): KubeObject[] {
  return manifests.filter((object) => SCALABLE_KINDS.includes(object.kind));
}

/**
 * All traffic to green; returns the line that says what switched. It returns once the routing
 * has had time to follow, so "switched" means green answers (a router reloads a moment after
 * the apply: a smoke test in the next step would otherwise still reach blue).
 */
export async function switchToGreen(dc: DeployContext, plan: BlueGreenPlan): Promise<string> {
  const applied = await dc.kube.apply(plan.switched, dc.inputs);
  const line = `Switched ${applied.map(objectRef).join(', ')} to green (route-method ${plan.method})`;
  core.info(line);
  await sleep(SWITCH_SETTLE_MS, dc.cancellation.stop);
  return line;
}

/** Routing back as written (blue, or the promoted version), then green and its objects deleted. */
export async function switchBack(dc: DeployContext, plan: BlueGreenPlan): Promise<void> {
  await dc.kube.apply(plan.restore, dc.inputs);
  await sleep(SWITCH_SETTLE_MS);
  await dc.kube.delete(plan.remove);
}

/** Switched back and green removed; blue checked healthy before this counts as a success. */
export async function switchBackToBlue(
  dc: DeployContext,
  manifests: KubeObject[],
  plan: BlueGreenPlan,
): Promise<StrategyOutcome> {
  await switchBack(dc, plan);
  const blue = workloadsOf(manifests)
    .map((w) => findLive(dc.live, w, dc.inputs.namespace))
    .filter((object): object is KubeObject => object !== undefined);
  const waits = await dc.kube.waitAll(blue, dc.inputs.rolloutTimeoutSeconds, dc.cancellation.stop);
  const failed = waits.filter((wait) => !wait.ready);
  const outcome: StrategyOutcome = {
    rollout: 'rejected',
    deployed: deployedResources(blue),
    workloads: describeWorkloads(blue, waits),
    notes: [
      `Rejected green: traffic goes to blue again (route-method ${plan.method}); green removed.`,
    ],
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
