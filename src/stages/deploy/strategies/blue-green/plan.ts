// What a blue-green step changes, from the manifests alone: the green copy of each workload
// (`<name>-green`, its pods out of the blue Services' sight until the switch), green's own
// Services when the route method routes to them, the routing as the switch leaves it, and what
// promote and reject restore and delete. Blue, the workload under its own name, is never
// touched until promote.
import { InputError } from '../../../../lib/errors';
import type { KubeObject, RouteMethod } from '../../model';
import { servicesFor } from '../../traffic/router';
import { objectRef, SCALABLE_KINDS } from '../../workloads';
import { greenService, greenWorkload } from './green';
import { routeSwitchFor } from './route-switches';

export interface BlueGreenOptions {
  method: RouteMethod;
  /** Extra annotations for the SMI TrafficSplits (traffic-split-annotations). */
  trafficSplitAnnotations?: Record<string, string>;
}

export interface BlueGreenPlan {
  method: RouteMethod;
  /** Green workloads, green Services and the manifests' other objects, applied together. */
  green: KubeObject[];
  /** The routing as the switch leaves it: all traffic to green. */
  switched: KubeObject[];
  /** The routing that sends all traffic to blue (or, after promote, to the promoted version). */
  restore: KubeObject[];
  /** What promote and reject delete once traffic is back: green and the switch's own objects. */
  remove: KubeObject[];
}

function isScalable(object: KubeObject): boolean {
  return SCALABLE_KINDS.includes(object.kind);
}

/**
 * The plan, or an InputError when the manifests lack what the route method needs: it runs in
 * the deploy stage's prepare, before anything is built or applied.
 */
export function planBlueGreen(manifests: KubeObject[], options: BlueGreenOptions): BlueGreenPlan {
  const { method } = options;
  const workloads = manifests.filter(isScalable);
  // Nothing can run beside a DaemonSet or a Job: such manifests deploy as they are.
  if (workloads.length === 0)
    return { method, green: manifests, switched: [], restore: [], remove: [] };
  const services = servicesFor(manifests, workloads);
  if (services.length === 0)
    throw new InputError(
      'manifests',
      `route-method ${method} moves the traffic of the Services that select ${workloads.map(objectRef).join(', ')}, and the manifests have none; add the Service to the manifests`,
    );
  const route = routeSwitchFor(method);
  const input = {
    manifests,
    services,
    trafficSplitAnnotations: options.trafficSplitAnnotations ?? {},
  };
  const switched = route.toGreen(input);
  const restore = route.toBlue(input);
  const greens = workloads.map((w) => greenWorkload(w, services, method));
  const greenServices = route.greenServices ? services.map((s) => greenService(s, method)) : [];
  const others = manifests.filter((o) => !isScalable(o) && !restore.includes(o));
  return {
    method,
    green: [...others, ...greenServices, ...greens],
    switched,
    restore,
    remove: [...greens, ...greenServices, ...route.leftovers(input)],
  };
}
