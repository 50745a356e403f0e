// ingress-nginx: a canary Service and, for each Ingress routing to a stable Service, a canary
// Ingress with the same hosts and paths pointing at it, weighted by the canary annotations.
import type { KubeObject } from '../model';
import { trackMetadata, trackName } from '../strategies/canary/tracks';
import { reroutedObjects, trackServices, type RouteInput, type TrafficRouter } from './router';

export const NGINX_CANARY = 'nginx.ingress.kubernetes.io/canary';
export const NGINX_CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

/* eslint-disable @typescript-eslint/no-explicit-any -- Ingress backends are open-ended JSON */
/**
 * A copy of an Ingress whose backends (default and per path) naming one of `services` name
 * `rename(service)` instead; undefined when none names them (the Ingress is not theirs).
 */
export function renameIngressBackends(
  ingress: KubeObject,
  services: string[],
  rename: (service: string) => string,
): KubeObject | undefined {
  const copy = structuredClone(ingress);
  let routed = false;
  const reroute = (backend: any) => {
    const name = backend?.service?.name;
    if (!name || !services.includes(name)) return backend;
    routed = true;
    return { ...backend, service: { ...backend.service, name: rename(name) } };
  };
  if (copy.spec?.defaultBackend) copy.spec.defaultBackend = reroute(copy.spec.defaultBackend);
  for (const rule of copy.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) path.backend = reroute(path.backend);
  }
  return routed ? copy : undefined;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

function canaryIngress(
  ingress: KubeObject,
  services: string[],
  weight: number,
): KubeObject | undefined {
  const copy = renameIngressBackends(
    trackMetadata(ingress, 'canary', 'ingress-nginx'),
    services,
    (name) => trackName(name, 'canary'),
  );
  if (!copy) return undefined;
  copy.metadata.annotations = {
    ...copy.metadata.annotations,
    [NGINX_CANARY]: 'true',
    [NGINX_CANARY_WEIGHT]: String(weight),
  };
  return copy;
}

export const ingressNginxRouter: TrafficRouter = {
  split: 'ingress-nginx',
  hidesCanaryPods: true,
  routes: (input: RouteInput): KubeObject[] => [
    ...trackServices(input, 'ingress-nginx'),
    ...reroutedObjects(
      input,
      { input: 'traffic-split', value: 'ingress-nginx' },
      'Ingress',
      (ingress, services) => canaryIngress(ingress, services, input.percentage),
    ),
  ],
  replaces: () => false,
};
