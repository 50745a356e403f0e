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
export type BackendRef = Record<string, any>;

function isServiceRef(ref: BackendRef): boolean {
  return (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '';
}

/**
 * A copy of an HTTPRoute with every backendRef naming one of `services` replaced by what
 * `rewrite` makes of it; undefined when no backendRef names them (the route is not theirs).
 */
export function rewriteServiceRefs(
  route: KubeObject,
  services: string[],
  rewrite: (ref: BackendRef) => BackendRef[],
): KubeObject | undefined {
  const copy = structuredClone(route);
  let routed = false;
  for (const rule of copy.spec?.rules ?? []) {
    if (!Array.isArray(rule.backendRefs)) continue;
    rule.backendRefs = rule.backendRefs.flatMap((ref: BackendRef) => {
      if (!isServiceRef(ref) || !services.includes(ref.name)) return [ref];
      routed = true;
      return rewrite(ref);
    });
  }
  return routed ? copy : undefined;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function splitRoute(
  route: KubeObject,
  services: string[],
  input: RouteInput,
): KubeObject | undefined {
  const share = weights(input.percentage, input.baseline);
  const copy = rewriteServiceRefs(route, services, (ref) => {
    // A weight scales with the backend's own weight, so other backends keep their share.
    const base = ref.weight ?? 1;
    const split = [
      { ...ref, weight: base * share.stable },
      { ...ref, name: trackName(ref.name, 'canary'), weight: base * share.canary },
    ];
    if (input.baseline)
      split.push({ ...ref, name: trackName(ref.name, 'baseline'), weight: base * share.baseline });
    return split;
  });
  if (!copy) return undefined;
  copy.metadata.annotations = {
    ...copy.metadata.annotations,
    [CANARY_WEIGHT_ANNOTATION]: String(input.percentage),
  };
  return copy;
}

export const gatewayApiRouter: TrafficRouter = {
  split: 'gateway-api',
  hidesCanaryPods: true,
  routes: (input: RouteInput): KubeObject[] => [
    ...trackServices(input, 'gateway-api'),
    ...reroutedObjects(
      input,
      { input: 'traffic-split', value: 'gateway-api' },
      'HTTPRoute',
      (route, services) => splitRoute(route, services, input),
    ),
  ],
  // The rerouted HTTPRoutes keep their names; the manifests' versions restore them.
  replaces: (object) => object.kind === 'HTTPRoute',
};
