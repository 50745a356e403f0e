// SMI: a canary (and baseline) Service and a TrafficSplit on each stable Service that sends
// the canary its weight; the stable Service itself is the stable backend.
import type { KubeObject, ObjectMeta } from '../model';
import {
  TRACK_LABEL,
  STABLE_NAME_ANNOTATION,
  TRAFFIC_SPLIT_ANNOTATION,
  trackName,
} from '../strategies/canary/tracks';
import { trackServices, weights, type RouteInput, type TrafficRouter } from './router';

export const SMI_API_VERSION = 'split.smi-spec.io/v1alpha2';

export function trafficSplitName(service: string): string {
  return `${trackName(service, 'canary')}-split`;
}

export interface SmiBackend {
  service: string;
  weight: number;
}

/** A TrafficSplit named `name` on a Service, in the Service's namespace. */
export function trafficSplitFor(
  service: KubeObject,
  name: string,
  backends: SmiBackend[],
  meta: Pick<ObjectMeta, 'labels' | 'annotations'>,
): KubeObject {
  return {
    apiVersion: SMI_API_VERSION,
    kind: 'TrafficSplit',
    metadata: {
      name,
      ...(service.metadata.namespace ? { namespace: service.metadata.namespace } : {}),
      ...meta,
    },
    spec: { service: service.metadata.name, backends },
  };
}

function canarySplit(service: KubeObject, input: RouteInput): KubeObject {
  const name = service.metadata.name;
  const share = weights(input.percentage, input.baseline);
  const backends = [
    { service: name, weight: share.stable },
    { service: trackName(name, 'canary'), weight: share.canary },
  ];
  if (input.baseline)
    backends.push({ service: trackName(name, 'baseline'), weight: share.baseline });
  return trafficSplitFor(service, trafficSplitName(name), backends, {
    labels: { [TRACK_LABEL]: 'canary' },
    annotations: { [STABLE_NAME_ANNOTATION]: name, [TRAFFIC_SPLIT_ANNOTATION]: 'smi' },
  });
}

export const smiRouter: TrafficRouter = {
  split: 'smi',
  hidesCanaryPods: true,
  routes: (input) => [
    ...trackServices(input, 'smi'),
    ...input.services.map((service) => canarySplit(service, input)),
  ],
  replaces: () => false,
};
