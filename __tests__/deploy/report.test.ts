import { mapInputs } from '../../src/inputs';
import { parseDeployInputs } from '../../src/stages/deploy/inputs';
import type { DeployResult } from '../../src/stages/deploy/model';
import { deployReport } from '../../src/stages/deploy/report';
import { environmentUrl } from '../../src/stages/deploy/environment-url';

const result: DeployResult = {
  deployed: [{ kind: 'Deployment', name: 'web', namespace: 'shop', image: 'app@sha256:1' }],
  rollout: 'canary-ready',
  workloads: [
    {
      kind: 'Deployment',
      name: 'web-canary',
      namespace: 'shop',
      track: 'canary',
      images: ['app@sha256:1'],
      replicas: 3,
      ready: true,
    },
  ],
  notes: ['deployment/web-canary: 3 replica(s), 20% of traffic by pod split.'],
  durationSeconds: 4.2,
  kubectlCalls: 3,
  apiRequests: 0,
  rolloutWaitSeconds: 3.1,
};

describe('deployReport', () => {
  const inputs = parseDeployInputs(mapInputs({ manifests: 'k8s', strategy: 'canary' }));

  it('sets deployed and rollout, and summarises workloads, strategy and duration', () => {
    const report = deployReport(result, inputs);
    expect(report.outputs).toEqual({
      deployed: '[{"kind":"Deployment","name":"web","namespace":"shop","image":"app@sha256:1"}]',
      rollout: 'canary-ready',
    });
    expect(report.summary).toContain(
      '**Rollout:** canary-ready · **Strategy:** canary deploy (pod split, 20%) · **Duration:** 4.2 s',
    );
    expect(report.summary).toContain(
      '| Deployment/web-canary | shop | canary | `app@sha256:1` | 3/3 |',
    );
    expect(report.failure).toBeUndefined();
  });

  it('fails the job with the rollout failure', () => {
    const report = deployReport(
      { ...result, rollout: 'rolled-back', failure: 'The rollout failed' },
      inputs,
    );
    expect(report.failure).toBe('The rollout failed');
    expect(report.outputs.rollout).toBe('rolled-back');
  });
});

describe('environmentUrl', () => {
  it.each([
    [
      [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'i' },
          spec: { tls: [{ hosts: ['a.test'] }], rules: [{ host: 'a.test' }] },
        },
      ],
      'https://a.test',
    ],
    [
      [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'i' },
          spec: { rules: [{ host: 'b.test' }] },
        },
      ],
      'http://b.test',
    ],
    [
      [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'r' },
          spec: { hostnames: ['*.test', 'c.test'] },
        },
      ],
      'https://c.test',
    ],
    [[{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }], undefined],
  ])('%#', (objects, url) => {
    expect(environmentUrl(objects)).toBe(url);
  });
});
