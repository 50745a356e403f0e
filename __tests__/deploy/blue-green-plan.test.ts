// The blue-green plan from the manifests, for every route method: green copies whose pods the
// blue Services miss until the switch, green's own Services where the routes need them, the
// routing as the switch leaves it and as it goes back, and what promote and reject delete.
import { InputError } from '../../src/lib/errors';
import type { KubeObject, RouteMethod } from '../../src/stages/deploy/model';
import { ROUTE_METHODS } from '../../src/stages/deploy/model';
import { selects } from '../../src/stages/deploy/traffic/router';
import { containersOf, podTemplateOf, withImagesOfCopies } from '../../src/stages/deploy/workloads';
import { greenName } from '../../src/stages/deploy/strategies/blue-green/green';
import {
  planBlueGreen,
  type BlueGreenPlan,
} from '../../src/stages/deploy/strategies/blue-green/plan';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: { containers: [{ name: 'web', image: 'r.example/web@sha256:' + 'a'.repeat(64) }] },
    },
  },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: {
    type: 'NodePort',
    clusterIP: '10.0.0.7',
    selector: { app: 'web' },
    ports: [{ port: 80, nodePort: 30080 }],
  },
};
const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } };
const route: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    rules: [
      { backendRefs: [{ name: 'web', port: 80, weight: 3 }] },
      { backendRefs: [{ name: 'other', port: 80 }] },
    ],
  },
};
const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: {
    defaultBackend: { service: { name: 'web', port: { number: 80 } } },
    rules: [
      {
        http: {
          paths: [
            { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } },
            { path: '/other', backend: { service: { name: 'other', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
};
const manifests = [config, deployment, service, route, ingress];
const annotations = { 'example.com/owner': 'team-a' };
const plans = Object.fromEntries(
  ROUTE_METHODS.map((method) => [
    method,
    planBlueGreen(manifests, { method, trafficSplitAnnotations: annotations }),
  ]),
) as Record<RouteMethod, BlueGreenPlan>;

const names = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe.each(ROUTE_METHODS)('route-method %s: green', (method) => {
  const plan = plans[method];
  const green = plan.green.find((o) => o.kind === 'Deployment')!;
  const greenPods = podTemplateOf(green)!.metadata!.labels;

  it('copies each workload as <name>-green at its full size, recording blue and the method', () => {
    expect(green.metadata.name).toBe('web-green');
    expect(green.spec.replicas).toBe(3);
    expect(green.metadata.annotations).toMatchObject({
      'gantry.dev/blue-name': 'web',
      'gantry.dev/route-method': method,
    });
  });

  it("keeps green's pods out of the blue Service until the switch", () => {
    expect(selects(service, greenPods)).toBe(false);
    expect(green.spec.selector.matchLabels).toEqual({
      app: 'web-green',
      'gantry.dev/color': 'green',
    });
    expect(greenPods?.tier).toBe('front');
  });
});

// What each method applies with green, switches, restores and deletes, by kind/name.
it.each<[RouteMethod, string[], string[], string[]]>([
  [
    'service',
    ['ConfigMap/cfg', 'HTTPRoute/web', 'Ingress/web', 'Deployment/web-green'],
    ['Service/web'],
    ['Deployment/web-green'],
  ],
  [
    'gateway-api',
    ['ConfigMap/cfg', 'Service/web', 'Ingress/web', 'Service/web-green', 'Deployment/web-green'],
    ['HTTPRoute/web'],
    ['Deployment/web-green', 'Service/web-green'],
  ],
  [
    'ingress',
    ['ConfigMap/cfg', 'Service/web', 'HTTPRoute/web', 'Service/web-green', 'Deployment/web-green'],
    ['Ingress/web'],
    ['Deployment/web-green', 'Service/web-green'],
  ],
  [
    'smi',
    [
      'ConfigMap/cfg',
      'Service/web',
      'HTTPRoute/web',
      'Ingress/web',
      'Service/web-green',
      'Deployment/web-green',
    ],
    ['TrafficSplit/web-trafficsplit'],
    ['Deployment/web-green', 'Service/web-green', 'TrafficSplit/web-trafficsplit'],
  ],
])('route-method %s: applies %j, switches %j, deletes %j', (method, green, routing, remove) => {
  const plan = plans[method];
  expect(names(plan.green)).toEqual(green);
  expect(names(plan.switched)).toEqual(routing);
  expect(names(plan.restore)).toEqual(routing);
  expect(names(plan.remove)).toEqual(remove);
});

/* eslint-disable @typescript-eslint/no-explicit-any -- routing objects are open-ended JSON */
// Where each method's routing sends traffic: the switch to green, and back to blue.
const destinations: Record<RouteMethod, (routing: KubeObject[]) => unknown> = {
  service: (r) => r.map((s) => s.spec.selector),
  'gateway-api': (r) => r.flatMap((o) => o.spec.rules.flatMap((rule: any) => rule.backendRefs)),
  ingress: (r) =>
    r.flatMap((o) => [
      o.spec.defaultBackend.service.name,
      ...o.spec.rules[0].http.paths.map((p: any) => p.backend.service.name),
    ]),
  smi: (r) => r.map((o) => o.spec.backends),
};
/* eslint-enable @typescript-eslint/no-explicit-any */

it.each<[RouteMethod, unknown, unknown]>([
  ['service', [{ app: 'web-green' }], [{ app: 'web' }]],
  [
    'gateway-api',
    [
      { name: 'web-green', port: 80, weight: 3 },
      { name: 'other', port: 80 },
    ],
    [
      { name: 'web', port: 80, weight: 3 },
      { name: 'other', port: 80 },
    ],
  ],
  ['ingress', ['web-green', 'web-green', 'other'], ['web', 'web', 'other']],
  [
    'smi',
    [
      [
        { service: 'web', weight: 0 },
        { service: 'web-green', weight: 100 },
      ],
    ],
    [
      [
        { service: 'web', weight: 100 },
        { service: 'web-green', weight: 0 },
      ],
    ],
  ],
])('route-method %s: the switch routes to %j, the way back to %j', (method, toGreen, toBlue) => {
  const plan = plans[method];
  expect(destinations[method](plan.switched)).toEqual(toGreen);
  expect(destinations[method](plan.restore)).toEqual(toBlue);
});

it("goes back with the manifests' own routing objects, where the switch rewrote them", () => {
  expect(plans.service.restore).toEqual([service]);
  expect(plans['gateway-api'].restore[0]).toBe(route);
  expect(plans.ingress.restore[0]).toBe(ingress);
});

it("puts traffic-split-annotations on smi's TrafficSplit, on the blue Service's namespace", () => {
  const split = plans.smi.switched[0];
  expect(split.metadata.annotations).toMatchObject(annotations);
  expect(split.spec.service).toBe('web');
});

it("gives green a ClusterIP Service of its own that selects green's pods only", () => {
  const greenService = plans['gateway-api'].green.find((o) => o.metadata.name === 'web-green')!;
  const green = plans['gateway-api'].green.find((o) => o.kind === 'Deployment')!;
  expect(greenService.kind).toBe('Service');
  expect(greenService.spec).toEqual({
    type: 'ClusterIP',
    selector: { app: 'web-green' },
    ports: [{ port: 80 }],
  });
  expect(selects(greenService, podTemplateOf(green)!.metadata!.labels)).toBe(true);
  expect(selects(greenService, podTemplateOf(deployment)!.metadata!.labels)).toBe(false);
});

it('deploys manifests without a workload that can run beside another as they are', () => {
  const daemon = { ...deployment, kind: 'DaemonSet' };
  expect(planBlueGreen([daemon, service], { method: 'ingress' })).toMatchObject({
    green: [daemon, service],
    switched: [],
    remove: [],
  });
});

const toOther = { ...route, spec: { rules: [{ backendRefs: [{ name: 'other' }] }] } };
it.each<[string, RouteMethod, KubeObject[], RegExp]>([
  ...ROUTE_METHODS.map((method): [string, RouteMethod, KubeObject[], RegExp] => [
    'no Service',
    method,
    [deployment, route, ingress],
    new RegExp(`route-method ${method} moves the traffic of .*deployment/web.*add the Service`),
  ]),
  [
    'no HTTPRoute',
    'gateway-api',
    [deployment, service, ingress],
    /route-method gateway-api needs an HTTPRoute in the manifests that routes to Service web; add one, or choose another route-method/,
  ],
  [
    'an HTTPRoute to another Service only',
    'gateway-api',
    [deployment, service, toOther],
    /needs an HTTPRoute .* routes to Service web/,
  ],
  [
    'no Ingress',
    'ingress',
    [deployment, service, route],
    /route-method ingress needs an Ingress in the manifests that routes to Service web/,
  ],
])('%s with route-method %s fails naming the manifests', (_name, method, objects, message) => {
  let error: unknown;
  try {
    planBlueGreen(objects, { method });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).input).toBe('manifests');
  expect((error as Error).message).toMatch(message);
});

describe('promote ships what green ran', () => {
  const greenImage = 'r.example/web@sha256:' + 'b'.repeat(64);
  const green = (name: string, image: string): KubeObject => ({
    ...deployment,
    metadata: { name },
    spec: { ...deployment.spec, template: { spec: { containers: [{ name: 'web', image }] } } },
  });

  it.each([
    ['green beside the workload', [green('web-green', greenImage)], greenImage],
    ['no green for it', [green('api-green', greenImage)], 'r.example/web@sha256:' + 'a'.repeat(64)],
    [
      'a canary is not green',
      [green('web-canary', greenImage)],
      'r.example/web@sha256:' + 'a'.repeat(64),
    ],
  ])('%s', (_, copies, image) => {
    const [promoted, other] = withImagesOfCopies([deployment, service], copies, greenName);
    expect(containersOf(promoted)[0].image).toBe(image);
    expect(other).toBe(service);
    // The manifests themselves are left as read.
    expect(containersOf(deployment)[0].image).toMatch(/a{64}$/);
  });
});
