// route-method gateway-api: each HTTPRoute in the manifests whose backendRefs name a blue
// Service names its green Service (`<svc>-green`) instead, with the same port and weight; the
// HTTPRoutes as written send traffic back to blue.
import type { KubeObject } from '../../model';
import { rewriteServiceRefs } from '../../traffic/gateway-api';
import { reroutedObjects } from '../../traffic/router';
import { greenName } from './green';
import type { RouteSwitch, SwitchInput } from './route-switch';

function toGreenRoute(route: KubeObject, services: string[]): KubeObject | undefined {
  return rewriteServiceRefs(route, services, (ref) => [{ ...ref, name: greenName(ref.name) }]);
}

const serviceNames = (input: SwitchInput) => input.services.map((s) => s.metadata.name);

export const gatewayApiSwitch: RouteSwitch = {
  method: 'gateway-api',
  greenServices: true,
  toGreen: (input) =>
    reroutedObjects(
      input,
      { input: 'route-method', value: 'gateway-api' },
      'HTTPRoute',
      toGreenRoute,
    ),
  toBlue: (input) =>
    input.manifests.filter(
      (o) => o.kind === 'HTTPRoute' && toGreenRoute(o, serviceNames(input)) !== undefined,
    ),
  leftovers: () => [],
};
