// Gateway API: a canary (and baseline) Service, and each HTTPRoute that sends traffic to a
// stable Service rewritten to split that backend's weight between the tracks.
import { InputError } from '../../../lib/errors';
import type { KubeObject } from '../model';
import { trackName } from '../tracks';
import { trackServices, weights, type RouteInput, type TrafficRouter } from './router';

export const CANARY_WEIGHT_ANNOTATION = 'gantry.dev/canary-weight';

/* eslint-disable @typescript-eslint/no-explicit-any -- backendRefs are open-ended JSON */
function isServiceRef(ref: any): boolean {
  return (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '';
}

function splitRoute(
  route: KubeObject,
  services: string[],
  input: RouteInput,
): KubeObject | undefined {
  const copy = structuredClone(route);
  const share = weights(input.percentage, input.baseline);
  let routed = false;
  for (const rule of copy.spec?.rules ?? []) {
    if (!Array.isArray(rule.backendRefs)) continue;
    rule.backendRefs = rule.backendRefs.flatMap((ref: any) => {
      if (!isServiceRef(ref) || !services.includes(ref.name)) return [ref];
      routed = true;
      // A weight scales with the backend's own weight, so other backends keep their share.
      const base = ref.weight ?? 1;
      const split = [
        { ...ref, weight: base * share.stable },
        { ...ref, name: trackName(ref.name, 'canary'), weight: base * share.canary },
      ];
      if (input.baseline)
        split.push({
          ...ref,
          name: trackName(ref.name, 'baseline'),
          weight: base * share.baseline,
        });
      return split;
    });
  }
  if (!routed) return undefined;
  copy.metadata.annotations = {
    ...copy.metadata.annotations,
    [CANARY_WEIGHT_ANNOTATION]: String(input.percentage),
  };
  return copy;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const gatewayApiRouter: TrafficRouter = {
  split: 'gateway-api',
  hidesCanaryPods: true,
  routes(input: RouteInput): KubeObject[] {
    const names = input.services.map((service) => service.metadata.name);
    const routes = input.manifests
      .filter((object) => object.kind === 'HTTPRoute')
      .map((route) => splitRoute(route, names, input))
      .filter((route): route is KubeObject => route !== undefined);
    if (routes.length === 0) {
      throw new InputError(
        'manifests',
        `traffic-split gateway-api needs an HTTPRoute in the manifests with a backendRef to Service ${names.join(' or ') || '(none selects the workloads)'}`,
      );
    }
    return [...trackServices(input, 'gateway-api'), ...routes];
  },
  // The rerouted HTTPRoutes keep their names; the manifests' versions restore them.
  replaces: (object) => object.kind === 'HTTPRoute',
};
