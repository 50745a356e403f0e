import { annotateResources } from '../../src/stages/deploy/annotations';
import { normalizedRepository } from '../../src/lib/image-reference';
import type { KubeObject } from '../../src/stages/deploy/model';
import { pinImageDigests } from '../../src/stages/deploy/pinning';
import { addImagePullSecrets } from '../../src/stages/deploy/pull-secrets';
import { containersOf, podTemplateOf } from '../../src/stages/deploy/workloads';

const PINNED = `ghcr.io/acme/app@sha256:${'b'.repeat(64)}`;

const podSpec = () => ({
  initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/app:1.0' }],
  containers: [
    { name: 'app', image: 'ghcr.io/acme/app@sha256:' + 'a'.repeat(64) },
    { name: 'proxy', image: 'envoyproxy/envoy:v1.30' },
  ],
});
const template = () => ({ metadata: { labels: { app: 'x' } }, spec: podSpec() });
const meta = { name: 'x' };

const WORKLOADS: [string, KubeObject][] = [
  [
    'Deployment',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { template: template() } },
  ],
  [
    'StatefulSet',
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta, spec: { template: template() } },
  ],
  [
    'DaemonSet',
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { template: template() } },
  ],
  [
    'ReplicaSet',
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { template: template() } },
  ],
  ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: template() } }],
  [
    'CronJob',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta,
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } },
    },
  ],
  ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec() }],
];

describe('pinImageDigests', () => {
  it.each(WORKLOADS)('pins containers and init containers of a %s', (_kind, workload) => {
    const { objects, pins, unused } = pinImageDigests([workload], [PINNED]);
    expect(containersOf(objects[0]).map((c) => c.image)).toEqual([
      PINNED,
      PINNED,
      'envoyproxy/envoy:v1.30',
    ]);
    expect(pins.map((p) => p.container)).toEqual(['migrate', 'app']);
    expect(unused).toEqual([]);
    // The manifests as loaded stay as they were.
    expect(containersOf(workload)[0].image).toBe('ghcr.io/acme/app:1.0');
  });

  it('leaves other kinds alone and reports images no container uses', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { image: 'ghcr.io/acme/app:1' },
    };
    const { objects, unused } = pinImageDigests([configMap], [PINNED]);
    expect(objects[0]).toEqual(configMap);
    expect(unused).toEqual([PINNED]);
  });

  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    ['docker.io/library/nginx@sha256:' + 'c'.repeat(64), 'docker.io/library/nginx'],
    ['acme/app:1', 'docker.io/acme/app'],
    ['127.0.0.1:5000/acme/app:latest', '127.0.0.1:5000/acme/app'],
    ['localhost/app:dev', 'localhost/app'],
    ['ghcr.io/acme/app:1.0@sha256:' + 'd'.repeat(64), 'ghcr.io/acme/app'],
  ])('reads the repository of %s', (ref, repository) => {
    expect(normalizedRepository(ref)).toBe(repository);
  });

  it('matches Docker Hub short names to their full names', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta,
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    };
    const target = 'docker.io/library/nginx@sha256:' + 'e'.repeat(64);
    expect(containersOf(pinImageDigests([pod], [target]).objects[0])[0].image).toBe(target);
  });
});

describe('addImagePullSecrets', () => {
  it.each(WORKLOADS)('adds pull secrets to a %s once', (_kind, workload) => {
    const withExisting = addImagePullSecrets([workload], ['regcred']);
    const twice = addImagePullSecrets(withExisting, ['regcred', 'other']);
    expect(podTemplateOf(twice[0])?.spec?.imagePullSecrets).toEqual([
      { name: 'regcred' },
      { name: 'other' },
    ]);
  });
});

describe('annotateResources', () => {
  it('notes repository, commit and run on every object, not on pod templates', () => {
    const [deployment] = annotateResources([WORKLOADS[0][1]], {
      repository: 'acme/app',
      commit: 'abc123',
      runUrl: 'https://github.com/acme/app/actions/runs/7',
    });
    expect(deployment.metadata.annotations).toEqual({
      'gantry.dev/repository': 'acme/app',
      'gantry.dev/commit': 'abc123',
      'gantry.dev/run-url': 'https://github.com/acme/app/actions/runs/7',
    });
    expect(podTemplateOf(deployment)?.metadata).toEqual({ labels: { app: 'x' } });
  });
});
