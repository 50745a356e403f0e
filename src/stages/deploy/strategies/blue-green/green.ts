// What makes a copy green: the name `<name>-green`, the colour label, and label values (in the
// selector and the pod template) that the blue Services' selectors miss, so green's pods get
// traffic only through the switch. Its annotations say what it stands beside and how the
// switch was made, so promote and reject in a later job act on it from the cluster alone.
import type { KubeObject, RouteMethod } from '../../model';
import { selectorKeysFor, serviceBeside } from '../../traffic/router';
import { freshCopy, podTemplateOf, suffixedLabelValue } from '../../workloads';

export const COLOR_LABEL = 'gantry.dev/color';
export const GREEN = 'green';
/** On each green copy: the blue object it stands beside. */
export const BLUE_NAME_ANNOTATION = 'gantry.dev/blue-name';
/** On each green copy: the route method of the switch, which promote and reject must undo. */
export const ROUTE_METHOD_ANNOTATION = 'gantry.dev/route-method';

export function greenName(name: string): string {
  return `${name}-${GREEN}`;
}

const greenValue = (value: string) => suffixedLabelValue(value, GREEN);

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

/** A Service's selector with every value made green: it picks green's pods only. */
export function greenSelector(service: KubeObject): Record<string, string> {
  const selector: Record<string, string> = {};
  for (const [key, value] of Object.entries<string>(service.spec?.selector ?? {}))
    selector[key] = greenValue(value);
  return selector;
}

function greenCopy(object: KubeObject, method: RouteMethod): KubeObject {
  const copy = freshCopy(object);
  copy.metadata = {
    ...copy.metadata,
    name: greenName(object.metadata.name),
    labels: { ...copy.metadata.labels, [COLOR_LABEL]: GREEN },
    annotations: {
      ...copy.metadata.annotations,
      [BLUE_NAME_ANNOTATION]: object.metadata.name,
      [ROUTE_METHOD_ANNOTATION]: method,
    },
  };
  return copy;
}

/** The green copy of a manifest workload: same spec, new name, pods the blue Services miss. */
export function greenWorkload(
  workload: KubeObject,
  services: KubeObject[],
  method: RouteMethod,
): KubeObject {
  const keys = selectorKeysFor(services, workload);
  const copy = greenCopy(workload, method);
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

/** `<svc>-green` beside a blue Service, selecting green's pods: what the routes switch to. */
export function greenService(service: KubeObject, method: RouteMethod): KubeObject {
  return serviceBeside(greenCopy(service, method), greenSelector(service));
}

/** The route method a running green was switched by (it outlives the job that made it). */
export function recordedRouteMethod(greens: KubeObject[]): string | undefined {
  return greens.map((g) => g.metadata.annotations?.[ROUTE_METHOD_ANNOTATION]).find(Boolean);
}
