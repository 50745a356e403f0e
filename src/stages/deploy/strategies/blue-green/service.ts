// route-method service: the Services themselves switch, their selectors moved to green's pods;
// the Services as written select blue again.
import type { KubeObject } from '../../model';
import { clone } from '../../workloads';
import { greenSelector } from './green';
import type { RouteSwitch } from './route-switch';

/** A Service pointed at green pods: its selector's values made green. */
export function switchedService(service: KubeObject): KubeObject {
  const copy = clone(service);
  copy.spec = { ...copy.spec, selector: greenSelector(service) };
  return copy;
}

export const serviceSwitch: RouteSwitch = {
  method: 'service',
  greenServices: false,
  toGreen: (input) => input.services.map(switchedService),
  toBlue: (input) => input.services,
  leftovers: () => [],
};
