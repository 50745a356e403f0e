// What every blue-green route method provides: the routing that sends all traffic to green,
// the routing that sends it back to blue, and what of its own to delete with green. One short
// file per method; route-switches.ts lists them, keyed by route method.
import type { KubeObject, RouteMethod } from '../../model';

export interface SwitchInput {
  /** The manifests being deployed (pinned and annotated). */
  manifests: KubeObject[];
  /** The manifests' Services that select the workloads' pods: blue's Services. */
  services: KubeObject[];
  /** Extra annotations for the SMI TrafficSplits (traffic-split-annotations). */
  trafficSplitAnnotations: Record<string, string>;
}

export interface RouteSwitch {
  method: RouteMethod;
  /** True when green gets Services of its own (`<svc>-green`) for the routes to name. */
  greenServices: boolean;
  /**
   * The routing objects as the switch leaves them: all traffic to green. Throws an InputError
   * when the manifests lack what the method routes with (an HTTPRoute, an Ingress).
   */
  toGreen(input: SwitchInput): KubeObject[];
  /**
   * The routing objects that send all traffic to blue. Manifest objects that the switch
   * rewrites are returned as themselves, written as in the manifests: they are kept out of
   * green's apply, so a route already switched stays on green while a new green rolls out.
   */
  toBlue(input: SwitchInput): KubeObject[];
  /** The switch's own objects, deleted with green once traffic is back on blue. */
  leftovers(input: SwitchInput): KubeObject[];
}
