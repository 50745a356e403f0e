// route-method ingress, as in k8s-deploy: each Ingress in the manifests with a backend naming a
// blue Service names its green Service (`<svc>-green`) instead; the Ingresses as written send
// traffic back to blue. Any Ingress controller follows, since only backends change.
import type { KubeObject } from '../../model';
import { renameIngressBackends } from '../../traffic/ingress-nginx';
import { reroutedObjects } from '../../traffic/router';
import { greenName } from './green';
import type { RouteSwitch, SwitchInput } from './route-switch';

const toGreenIngress = (ingress: KubeObject, services: string[]) =>
  renameIngressBackends(ingress, services, greenName);

const serviceNames = (input: SwitchInput) => input.services.map((s) => s.metadata.name);

export const ingressSwitch: RouteSwitch = {
  method: 'ingress',
  greenServices: true,
  toGreen: (input) =>
    reroutedObjects(input, { input: 'route-method', value: 'ingress' }, 'Ingress', toGreenIngress),
  toBlue: (input) =>
    input.manifests.filter(
      (o) => o.kind === 'Ingress' && toGreenIngress(o, serviceNames(input)) !== undefined,
    ),
  leftovers: () => [],
};
