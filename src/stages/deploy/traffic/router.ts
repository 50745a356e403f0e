// What every traffic split provides: whether canary pods must stay out of the stable Services,
// and the objects that send the canary (and baseline) their share of traffic.
import { InputError } from '../../../lib/errors';
import type { KubeObject, TrafficSplit } from '../model';
import { podTemplateOf } from '../workloads';
import { trackLabels, trackMetadata, type Track } from '../strategies/canary/tracks';

export interface RouteInput {
  /** The manifests being deployed (pinned and annotated). */
  manifests: KubeObject[];
  /** Services in the manifests that select the pods of a workload getting a canary. */
  services: KubeObject[];
  percentage: number;
  baseline: boolean;
}

export interface TrafficRouter {
  split: TrafficSplit;
  /** True when a router splits traffic, so canary pods must not match the stable Services. */
  hidesCanaryPods: boolean;
  /** The canary (and baseline) routing objects; names depend only on the manifests. */
  routes(input: RouteInput): KubeObject[];
  /** Manifest objects that `routes` replaces by a rerouted copy of the same name. */
  replaces(object: KubeObject): boolean;
}

/** Traffic weights (percent) for stable, canary and baseline. */
export function weights(percentage: number, baseline: boolean) {
  const shadow = baseline ? percentage : 0;
  return { stable: 100 - percentage - shadow, canary: percentage, baseline: shadow };
}

export function tracksFor(baseline: boolean): Track[] {
  return baseline ? ['canary', 'baseline'] : ['canary'];
}

/** True when a Service's selector picks pods with these labels. */
export function selects(
  service: KubeObject,
  podLabels: Record<string, string> | undefined,
): boolean {
  const selector: Record<string, string> = service.spec?.selector ?? {};
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => podLabels?.[key] === value);
}

/** The manifests' Services that send traffic to these workloads' pods. */
export function servicesFor(manifests: KubeObject[], workloads: KubeObject[]): KubeObject[] {
  return manifests.filter(
    (object) =>
      object.kind === 'Service' &&
      workloads.some((workload) => selects(object, podTemplateOf(workload)?.metadata?.labels)),
  );
}

/** The selector keys of the Services that pick a workload's pods: what hides a copy of it. */
export function selectorKeysFor(services: KubeObject[], workload: KubeObject): string[] {
  const labels = podTemplateOf(workload)?.metadata?.labels;
  const keys = services
    .filter((s) => selects(s, labels))
    .flatMap((s) => Object.keys(s.spec.selector));
  return [...new Set(keys)];
}

// Fields that belong to the stable Service alone (addresses, node-level traffic settings).
const STABLE_ONLY_SERVICE_FIELDS = [
  'clusterIP',
  'clusterIPs',
  'externalTrafficPolicy',
  'healthCheckNodePort',
  'loadBalancerIP',
];

/**
 * A Service for other pods beside a stable Service (a canary track, blue-green's green): the
 * renamed copy with `selector`. Fixed node ports and cluster IPs are dropped (they belong to the
 * stable Service), and it is ClusterIP: a router is its client.
 */
export function serviceBeside(renamed: KubeObject, selector: Record<string, string>): KubeObject {
  const copy = structuredClone(renamed);
  const spec = { ...copy.spec };
  for (const field of STABLE_ONLY_SERVICE_FIELDS) delete spec[field];
  copy.spec = {
    ...spec,
    type: 'ClusterIP',
    selector,
    ports: (spec.ports ?? []).map((port: Record<string, unknown>) => {
      const { nodePort, ...rest } = port;
      void nodePort;
      return rest;
    }),
  };
  return copy;
}

/** A Service for one track's pods beside a stable Service. */
export function trackService(service: KubeObject, track: Track, split: TrafficSplit): KubeObject {
  const selectorKeys = Object.keys(service.spec?.selector ?? {});
  return serviceBeside(
    trackMetadata(service, track, split),
    trackLabels(service.spec?.selector, track, selectorKeys),
  );
}

export function trackServices(input: RouteInput, split: TrafficSplit): KubeObject[] {
  return tracksFor(input.baseline).flatMap((track) =>
    input.services.map((service) => trackService(service, track, split)),
  );
}

/** The input that chose the routing, for errors: `traffic-split gateway-api`. */
export interface RoutingSetting {
  input: string;
  value: string;
}

/**
 * The manifests' routing objects of one kind (Ingress, HTTPRoute) rewritten to reach other
 * pods (a canary, green); `reroute` returns undefined for objects that do not route to the
 * stable Services. Finding none, traffic cannot move at all, which is an input error.
 */
export function reroutedObjects(
  input: Pick<RouteInput, 'manifests' | 'services'>,
  setting: RoutingSetting,
  kind: string,
  reroute: (object: KubeObject, services: string[]) => KubeObject | undefined,
): KubeObject[] {
  const services = input.services.map((service) => service.metadata.name);
  const rerouted = input.manifests
    .filter((object) => object.kind === kind)
    .map((object) => reroute(object, services))
    .filter((object): object is KubeObject => object !== undefined);
  if (rerouted.length === 0) {
    throw new InputError(
      'manifests',
      `${setting.input} ${setting.value} needs an ${kind} in the manifests that routes to Service ${services.join(' or ') || '(none selects the workloads)'}; add one, or choose another ${setting.input}`,
    );
  }
  return rerouted;
}
