// Gateway API: a canary (and baseline) Service, and each HTTPRoute that sends traffic to a
// stable Service rewritten to split that backend's weight between the tracks.
import type { KubeObject } from '../model';
import { trackName } from '../strategies/canary/tracks';
import {
  reroutedObjects,
  trackServices,
  weights,
  type RouteInput,
  type TrafficRouter,
} from './router';

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
  routes: (input: RouteInput): KubeObject[] => [
    ...trackServices(input, 'gateway-api'),
    ...reroutedObjects(input, 'gateway-api', 'HTTPRoute', (route, services) =>
      splitRoute(route, services, input),
    ),
  ],
  // The rerouted HTTPRoutes keep their names; the manifests' versions restore them.
  replaces: (object) => object.kind === 'HTTPRoute',
};
