// The blue-green plan from the manifests: green copies whose pods the Services miss until the
// switch, the Services pointed at green, and what promote and reject restore and delete.
import type { KubeObject } from '../../src/stages/deploy/model';
import { selects } from '../../src/stages/deploy/traffic/router';
import { podTemplateOf } from '../../src/stages/deploy/workloads';
import { planBlueGreen } from '../../src/stages/deploy/strategies/blue-green/plan';

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
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
};
const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } };

const plan = planBlueGreen([config, deployment, service]);
const green = plan.green.find((o) => o.kind === 'Deployment')!;

it('copies each workload as <name>-green at its full size, beside the running one', () => {
  expect(green.metadata.name).toBe('web-green');
  expect(green.spec.replicas).toBe(3);
  expect(green.metadata.annotations?.['gantry.dev/blue-name']).toBe('web');
  expect(plan.green.map((o) => o.metadata.name)).toEqual(['cfg', 'web-green']);
});

it("keeps green's pods out of the Services until the switch, and the switch selects only them", () => {
  const greenPods = podTemplateOf(green)!.metadata!.labels;
  const bluePods = podTemplateOf(deployment)!.metadata!.labels;
  expect(selects(service, greenPods)).toBe(false);
  expect(selects(plan.switched[0], greenPods)).toBe(true);
  expect(selects(plan.switched[0], bluePods)).toBe(false);
  expect(green.spec.selector.matchLabels).toEqual({
    app: 'web-green',
    'gantry.dev/color': 'green',
  });
  expect(greenPods?.tier).toBe('front');
});

it('restores the Services as written and removes green on promote or reject', () => {
  expect(plan.restore).toEqual([service]);
  expect(plan.remove.map((o) => o.metadata.name)).toEqual(['web-green']);
});
