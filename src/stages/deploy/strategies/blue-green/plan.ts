// What a blue-green step changes, from the manifests alone: the green copy of each workload
// (`<name>-green`, its pods out of the Services' sight until the switch), the Services pointed
// at green (route-method service), and what promote and reject restore and delete. The running
// version (blue) is the workload under its own name and is never touched until promote.
import type { KubeObject } from '../../model';
import { selectorKeysFor, servicesFor } from '../../traffic/router';
import { clone, podTemplateOf, SCALABLE_KINDS, suffixedLabelValue } from '../../workloads';

export const COLOR_LABEL = 'gantry.dev/color';
export const GREEN = 'green';
/** On the green copy: the workload it stands beside, for promote and reject in later jobs. */
export const BLUE_NAME_ANNOTATION = 'gantry.dev/blue-name';

export function greenName(name: string): string {
  return `${name}-${GREEN}`;
}

const greenValue = (value: string) => suffixedLabelValue(value, GREEN);

function isScalable(object: KubeObject): boolean {
  return SCALABLE_KINDS.includes(object.kind);
}

function greenLabels(
  labels: Record<string, string> | undefined,
  keys: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {}))
    out[key] = keys.includes(key) ? greenValue(value) : value;
  out[COLOR_LABEL] = GREEN;
  return out;
}

const SERVER_ANNOTATIONS = [
  'deployment.kubernetes.io/revision',
  'kubectl.kubernetes.io/last-applied-configuration',
];

/** The green copy of a manifest workload: same spec, new name, pods the Services miss. */
export function greenWorkload(workload: KubeObject, services: KubeObject[]): KubeObject {
  const keys = selectorKeysFor(services, workload);
  const copy = clone(workload);
  delete copy.status;
  const annotations = { ...copy.metadata.annotations };
  for (const key of SERVER_ANNOTATIONS) delete annotations[key];
  copy.metadata = {
    ...copy.metadata,
    name: greenName(workload.metadata.name),
    labels: { ...copy.metadata.labels, [COLOR_LABEL]: GREEN },
    annotations: { ...annotations, [BLUE_NAME_ANNOTATION]: workload.metadata.name },
  };
  const selector = copy.spec?.selector ?? {};
  copy.spec = {
    ...copy.spec,
    selector: {
      ...selector,
      matchLabels: greenLabels(
        selector.matchLabels ?? podTemplateOf(workload)?.metadata?.labels,
        keys,
      ),
    },
  };
  const template = podTemplateOf(copy);
  if (template)
    template.metadata = {
      ...template.metadata,
      labels: greenLabels(template.metadata?.labels, keys),
    };
  return copy;
}

/** A Service pointed at green pods: its selector's values made green. */
export function switchedService(service: KubeObject): KubeObject {
  const copy = clone(service);
  const keys = Object.keys(service.spec.selector ?? {});
  const selector: Record<string, string> = {};
  for (const key of keys) selector[key] = greenValue(service.spec.selector[key]);
  copy.spec = { ...copy.spec, selector };
  return copy;
}

export interface BlueGreenPlan {
  /** Green workloads and the manifests' other objects (not the Services, not the workloads). */
  green: KubeObject[];
  /** The Services as the switch leaves them: selecting green. */
  switched: KubeObject[];
  /** The Services as written: selecting blue (reject) or the promoted workloads (promote). */
  restore: KubeObject[];
  /** What promote and reject delete once the Services point away from it. */
  remove: KubeObject[];
}

export function planBlueGreen(manifests: KubeObject[]): BlueGreenPlan {
  const workloads = manifests.filter(isScalable);
  const services = servicesFor(manifests, workloads);
  const greens = workloads.map((w) => greenWorkload(w, services));
  const others = manifests.filter((o) => !isScalable(o) && !services.includes(o));
  return {
    green: [...others, ...greens],
    switched: services.map(switchedService),
    restore: services,
    remove: greens,
  };
}
