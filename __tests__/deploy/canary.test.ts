import * as fs from 'fs';
import * as path from 'path';
import {
  canarySplit,
  liveCanaries,
  planCanary,
  planCanaryRemoval,
  promotedManifests,
  staleCanaries,
} from '../../src/stages/deploy/strategies/canary/plan';
import { liveKey, type LiveObjects } from '../../src/stages/deploy/live';
import { parseManifests } from '../../src/stages/deploy/manifests';
import type { KubeObject, TrafficSplit } from '../../src/stages/deploy/model';
import { pinImageDigests } from '../../src/stages/deploy/pinning';
import { selects } from '../../src/stages/deploy/traffic/router';
import { containersOf, podTemplateOf } from '../../src/stages/deploy/workloads';
import {
  stableNameOf,
  startedByK8sDeploy,
  trackOf,
} from '../../src/stages/deploy/strategies/canary/tracks';
import { requireCanaries } from '../../src/stages/deploy/strategies/canary';
import type { DeployContext } from '../../src/stages/deploy/strategies/rolling';
import {
  K8S_DEPLOY_VERSION_LABEL,
  k8sDeployCanary,
} from '../../test/fixtures/deploy/k8s-deploy-canary';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'deploy');
const NEW_IMAGE = `127.0.0.1:5000/acme/app@sha256:${'1'.repeat(64)}`;
const OLD_IMAGE = `127.0.0.1:5000/acme/app@sha256:${'0'.repeat(64)}`;

function load(...files: string[]): KubeObject[] {
  const objects = files.flatMap((file) =>
    parseManifests(fs.readFileSync(path.join(FIXTURES, file), 'utf8'), file).map((m) => m.object),
  );
  return pinImageDigests(objects, [NEW_IMAGE]).objects;
}

/** The cluster as it is while version OLD_IMAGE runs with `replicas` pods. */
function liveStable(replicas: number): LiveObjects {
  const [stable] = pinImageDigests(load('app/deployment.yaml'), [OLD_IMAGE]).objects;
  stable.spec.replicas = replicas;
  stable.metadata.namespace = 'shop';
  stable.metadata.uid = 'uid-1';
  stable.metadata.resourceVersion = '42';
  stable.status = { readyReplicas: replicas };
  return new Map([[liveKey('Deployment', 'shop', 'web'), stable]]);
}

const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

const options = (split: TrafficSplit, extra: Partial<Parameters<typeof planCanary>[2]> = {}) => ({
  split,
  percentage: 20,
  baseline: false,
  namespace: 'shop',
  ...extra,
});

describe('planCanary', () => {
  const manifests = load(
    'app/deployment.yaml',
    'app/service.yml',
    'routing/ingress.yaml',
    'routing/httproute.yaml',
  );

  it('deploys everything as stable when no stable version runs', () => {
    const plan = planCanary(manifests, new Map(), options('pod'));
    expect(plan.canaries).toEqual([]);
    expect(plan.newStable.map((o) => o.metadata.name)).toEqual(['web']);
    expect(plan.apply).toHaveLength(manifests.length);
  });

  it('pod split: a labelled <name>-canary beside stable, sized for the share, Services selecting both', () => {
    const plan = planCanary(manifests, liveStable(10), options('pod'));
    expect(plan.canaries).toHaveLength(1);
    const canary = plan.canaries[0];
    expect(canary.metadata.name).toBe('web-canary');
    expect(canary.metadata.labels).toMatchObject({ 'gantry.dev/track': 'canary' });
    expect(canary.metadata.annotations).toMatchObject({
      'gantry.dev/stable-name': 'web',
      'gantry.dev/traffic-split': 'pod',
    });
    expect(canary.spec.replicas).toBe(3);
    expect(canary.spec.selector.matchLabels).toEqual({ app: 'web', 'gantry.dev/track': 'canary' });
    expect(podTemplateOf(canary)?.metadata?.labels).toEqual({
      app: 'web',
      'gantry.dev/track': 'canary',
    });
    expect(containersOf(canary).map((c) => c.image)).toEqual([
      NEW_IMAGE,
      NEW_IMAGE,
      '127.0.0.1:5000/testbed/busybox:1',
    ]);
    const service = find(plan.apply, 'Service', 'web')!;
    expect(selects(service, podTemplateOf(canary)?.metadata?.labels)).toBe(true);
    // The stable Deployment is not part of the batch: it keeps running untouched.
    expect(find(plan.apply, 'Deployment', 'web')).toBeUndefined();
    expect(plan.routes).toEqual([]);
  });

  it('canary-replicas overrides the computed count', () => {
    expect(
      planCanary(manifests, liveStable(10), options('pod', { canaryReplicas: 5 })).canaries[0].spec
        .replicas,
    ).toBe(5);
  });

  it('baseline: the stable image at the canary size, from the live object', () => {
    const plan = planCanary(manifests, liveStable(10), options('pod', { baseline: true }));
    const baseline = plan.baselines[0];
    expect(baseline.metadata.name).toBe('web-baseline');
    expect(baseline.spec.replicas).toBe(3);
    expect(baseline.metadata.labels?.['gantry.dev/track']).toBe('baseline');
    expect(baseline.metadata.uid).toBeUndefined();
    expect(baseline.metadata.resourceVersion).toBeUndefined();
    expect(baseline.status).toBeUndefined();
    expect(containersOf(baseline)[1].image).toBe(OLD_IMAGE);
    expect(baseline.spec.selector.matchLabels).toEqual({
      app: 'web',
      'gantry.dev/track': 'baseline',
    });
  });

  it('ingress-nginx: canary pods hidden from the stable Service, canary Service and weighted canary Ingress', () => {
    const plan = planCanary(manifests, liveStable(10), options('ingress-nginx'));
    const canary = plan.canaries[0];
    expect(canary.spec.replicas).toBe(2);
    const podLabels = podTemplateOf(canary)?.metadata?.labels;
    expect(podLabels).toEqual({ app: 'web-canary', 'gantry.dev/track': 'canary' });
    expect(selects(find(plan.apply, 'Service', 'web')!, podLabels)).toBe(false);
    const canaryService = find(plan.routes, 'Service', 'web-canary')!;
    expect(canaryService.spec.selector).toEqual({
      app: 'web-canary',
      'gantry.dev/track': 'canary',
    });
    expect(canaryService.spec.type).toBe('ClusterIP');
    const ingress = find(plan.routes, 'Ingress', 'web-canary')!;
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
    });
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('web-canary');
    // The stable Ingress is applied as written.
    expect(
      find(plan.apply, 'Ingress', 'web')!.spec.rules[0].http.paths[0].backend.service.name,
    ).toBe('web');
  });

  it.each([
    [
      false,
      [
        { name: 'web', port: 80, weight: 80 },
        { name: 'web-canary', port: 80, weight: 20 },
      ],
    ],
    [
      true,
      [
        { name: 'web', port: 80, weight: 60 },
        { name: 'web-canary', port: 80, weight: 20 },
        { name: 'web-baseline', port: 80, weight: 20 },
      ],
    ],
  ])('gateway-api (baseline %s): the HTTPRoute splits backend weights', (baseline, backendRefs) => {
    const plan = planCanary(manifests, liveStable(10), options('gateway-api', { baseline }));
    const routes = plan.apply.filter((o) => o.kind === 'HTTPRoute');
    expect(routes).toHaveLength(1);
    expect(routes[0].spec.rules[0].backendRefs).toEqual(backendRefs);
    expect(find(plan.routes, 'Service', 'web-canary')).toBeDefined();
    expect(!!find(plan.routes, 'Service', 'web-baseline')).toBe(baseline);
  });

  it.each([
    [
      false,
      [
        { service: 'web', weight: 80 },
        { service: 'web-canary', weight: 20 },
      ],
    ],
    [
      true,
      [
        { service: 'web', weight: 60 },
        { service: 'web-canary', weight: 20 },
        { service: 'web-baseline', weight: 20 },
      ],
    ],
  ])('smi (baseline %s): a TrafficSplit on the stable Service', (baseline, backends) => {
    const plan = planCanary(manifests, liveStable(10), options('smi', { baseline }));
    const split = find(plan.routes, 'TrafficSplit', 'web-canary-split')!;
    expect(split.apiVersion).toBe('split.smi-spec.io/v1alpha2');
    expect(split.spec).toEqual({ service: 'web', backends });
  });

  it('smi: traffic-split-annotations go on the TrafficSplit, beside its own', () => {
    const trafficSplitAnnotations = { 'example.com/owner': 'team-a' };
    const plan = planCanary(manifests, liveStable(10), options('smi', { trafficSplitAnnotations }));
    expect(find(plan.routes, 'TrafficSplit', 'web-canary-split')!.metadata.annotations).toEqual({
      'example.com/owner': 'team-a',
      'gantry.dev/stable-name': 'web',
      'gantry.dev/traffic-split': 'smi',
    });
    expect(find(plan.routes, 'Service', 'web-canary')!.metadata.annotations).not.toHaveProperty(
      'example.com/owner',
    );
  });

  it.each([
    ['ingress-nginx', 'an Ingress'],
    ['gateway-api', 'an HTTPRoute'],
  ] as const)('%s without a routing object in the manifests is an input error', (split, what) => {
    const bare = load('app/deployment.yaml', 'app/service.yml');
    expect(() => planCanary(bare, liveStable(4), options(split))).toThrow(
      new RegExp(`needs ${what} in the manifests`),
    );
  });
});

describe('promote and reject plans', () => {
  const manifests = load(
    'app/deployment.yaml',
    'app/service.yml',
    'routing/ingress.yaml',
    'routing/httproute.yaml',
  );
  const canaryLive = (split: TrafficSplit) => {
    const live = liveStable(10);
    const plan = planCanary(manifests, live, options(split));
    const canary = {
      ...plan.canaries[0],
      metadata: { ...plan.canaries[0].metadata, namespace: 'shop' },
    };
    live.set(liveKey('Deployment', 'shop', 'web-canary'), canary);
    return live;
  };

  it('finds the running canary and the split it was made with', () => {
    const live = canaryLive('smi');
    const canaries = liveCanaries(manifests, live, 'shop');
    expect(canaries.map((c) => c.metadata.name)).toEqual(['web-canary']);
    expect(canarySplit(canaries, 'pod')).toBe('smi');
    expect(liveCanaries(manifests, liveStable(10), 'shop')).toEqual([]);
  });

  it('promotes the canary images into the stable manifests', () => {
    const canary = {
      ...find(load('app/deployment.yaml'), 'Deployment', 'web')!,
      metadata: { name: 'web-canary' },
    };
    const promotedImage = `127.0.0.1:5000/acme/app@sha256:${'9'.repeat(64)}`;
    for (const c of containersOf(canary)) if (c.name !== 'sidecar') c.image = promotedImage;
    const promoted = promotedManifests(manifests, [canary]);
    expect(containersOf(find(promoted, 'Deployment', 'web')!).map((c) => c.image)).toEqual([
      promotedImage,
      promotedImage,
      '127.0.0.1:5000/testbed/busybox:1',
    ]);
  });

  const refs = (objects: KubeObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

  it.each([
    ['pod', ['Deployment/web-baseline', 'Deployment/web-canary'], []],
    [
      'ingress-nginx',
      [
        'Deployment/web-baseline',
        'Deployment/web-canary',
        'Ingress/web-canary',
        'Service/web-baseline',
        'Service/web-canary',
      ],
      [],
    ],
    [
      'gateway-api',
      [
        'Deployment/web-baseline',
        'Deployment/web-canary',
        'Service/web-baseline',
        'Service/web-canary',
      ],
      ['HTTPRoute/web'],
    ],
    [
      'smi',
      [
        'Deployment/web-baseline',
        'Deployment/web-canary',
        'Service/web-baseline',
        'Service/web-canary',
        'TrafficSplit/web-canary-split',
      ],
      [],
    ],
  ] as const)(
    '%s: removal deletes the canary objects and restores routing',
    (split, removed, restored) => {
      const removal = planCanaryRemoval(manifests, split);
      expect(refs(removal.remove)).toEqual(removed);
      expect(refs(removal.restore)).toEqual(restored);
      // Restored routes are the manifests' own, with the stable backend alone.
      for (const route of removal.restore)
        expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'web', port: 80 }]);
    },
  );
});

describe('staleCanaries', () => {
  const manifests = load('app/deployment.yaml', 'app/service.yml', 'routing/httproute.yaml');
  const running = (split: TrafficSplit) => {
    const canary = planCanary(manifests, liveStable(4), options(split)).canaries[0];
    return { ...canary, metadata: { ...canary.metadata, namespace: 'shop' } };
  };

  it.each([
    ['pod', 'pod', false],
    ['gateway-api', 'gateway-api', false],
    ['pod', 'gateway-api', true],
    ['smi', 'pod', true],
  ] as const)(
    'a canary made with %s, deployed again with %s: replaced %s',
    (before, now, stale) => {
      const plan = planCanary(manifests, liveStable(4), options(now));
      expect(staleCanaries([running(before)], plan, now).length > 0).toBe(stale);
    },
  );

  it('removal without the routing object still deletes the canary Services', () => {
    const bare = load('app/deployment.yaml', 'app/service.yml');
    const removal = planCanaryRemoval(bare, 'gateway-api');
    expect(removal.remove.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/web-baseline',
      'Deployment/web-canary',
      'Service/web-baseline',
      'Service/web-canary',
    ]);
  });
});

// A canary that Azure/k8s-deploy started (pod split): Gantry's promote and reject find it by its
// name, read its track from k8s-deploy's label, and remove both its canary and baseline.
describe('canaries started by k8s-deploy', () => {
  const manifests = load('app/deployment.yaml', 'app/service.yml');
  const peerLive = () => {
    const live = liveStable(10);
    const stable = live.get(liveKey('Deployment', 'shop', 'web'))!;
    const { canary, baseline } = k8sDeployCanary(find(manifests, 'Deployment', 'web')!, stable, 20);
    for (const object of [canary, baseline]) {
      object.metadata.namespace = 'shop';
      live.set(liveKey('Deployment', 'shop', object.metadata.name), object);
    }
    return { live, canary, baseline };
  };

  it('is found as the running canary, of the pod split, beside stable web', () => {
    const { live, canary, baseline } = peerLive();
    const canaries = liveCanaries(manifests, live, 'shop');
    expect(canaries.map((c) => c.metadata.name)).toEqual(['web-canary']);
    expect(canarySplit(canaries, 'pod')).toBe('pod');
    expect(canary.spec.replicas).toBe(1); // round(4 replicas * 20%), at least 1
    expect([trackOf(canary), trackOf(baseline)]).toEqual(['canary', 'baseline']);
    expect([stableNameOf(canary), stableNameOf(baseline)]).toEqual(['web', 'web']);
    expect(startedByK8sDeploy(canary)).toBe(true);
  });

  it('promote runs its image on stable; removal takes its canary and baseline', () => {
    const { live } = peerLive();
    const canaries = liveCanaries(manifests, live, 'shop');
    const promoted = find(promotedManifests(manifests, canaries), 'Deployment', 'web')!;
    expect(containersOf(promoted)[0].image).toBe(NEW_IMAGE);
    expect(promoted.metadata.labels).not.toHaveProperty(K8S_DEPLOY_VERSION_LABEL);
    const removal = planCanaryRemoval(manifests, canarySplit(canaries, 'pod'));
    expect(removal.remove.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/web-baseline',
      'Deployment/web-canary',
    ]);
  });

  it('a new Gantry canary replaces it (its selector carries k8s-deploy’s label)', () => {
    const { live } = peerLive();
    const plan = planCanary(manifests, live, options('pod'));
    expect(staleCanaries(liveCanaries(manifests, live, 'shop'), plan, 'pod')).toHaveLength(1);
  });

  it.each([
    ['pod', undefined],
    ['smi', /Azure\/k8s-deploy started it.*traffic-split-method pod only.*Nothing was changed/],
  ] as const)('promote with traffic split %s: taken over, or refused first', (split, refusal) => {
    const { live } = peerLive();
    const dc = {
      live,
      inputs: { namespace: 'shop', action: 'promote', trafficSplit: split },
    } as unknown as DeployContext;
    if (refusal) expect(() => requireCanaries(dc, manifests)).toThrow(refusal);
    else expect(requireCanaries(dc, manifests).map((c) => c.metadata.name)).toEqual(['web-canary']);
  });

  it('a Gantry canary is not taken for one of k8s-deploy’s', () => {
    const plan = planCanary(manifests, liveStable(10), options('pod'));
    expect(startedByK8sDeploy(plan.canaries[0])).toBe(false);
    expect(stableNameOf(plan.canaries[0])).toBe('web');
  });
});
