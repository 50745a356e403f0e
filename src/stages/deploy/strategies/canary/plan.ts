// What a canary step changes, computed from the manifests and the cluster's current objects:
// the canary (and baseline) workloads beside each running stable one, their routing, and, for
// promote and reject, what to delete and which routing objects to restore.
import { findLive, type LiveObjects } from '../../live';
import type { KubeObject, TrafficSplit } from '../../model';
import { podSplitCanaryReplicas, routedCanaryReplicas } from './replicas';
import { TRAFFIC_SPLIT_ANNOTATION, trackName, trackWorkload, TRACKS, type Track } from './tracks';
import { routerFor } from '../../traffic';
import { selectorKeysFor, servicesFor, trackServices } from '../../traffic/router';
import { TRAFFIC_SPLITS } from '../../model';
import { isWorkload, replicasOf, SCALABLE_KINDS, withImagesOfCopies } from '../../workloads';

export interface CanaryOptions {
  split: TrafficSplit;
  percentage: number;
  /** Overrides the computed canary size. */
  canaryReplicas?: number;
  baseline: boolean;
  namespace: string;
  /** Extra annotations on the TrafficSplits (k8s-deploy's traffic-split-annotations). */
  trafficSplitAnnotations?: Record<string, string>;
}

export interface CanaryPlan {
  /** Everything to apply, in one batch. */
  apply: KubeObject[];
  canaries: KubeObject[];
  baselines: KubeObject[];
  /** Workloads with no stable version running yet: deployed as stable. */
  newStable: KubeObject[];
  /** Running workloads that cannot have a canary (DaemonSet, Job, Pod…): changed at promote. */
  deferred: KubeObject[];
  routes: KubeObject[];
}

function isScalable(object: KubeObject): boolean {
  return SCALABLE_KINDS.includes(object.kind);
}

export function canaryReplicaCount(stableReplicas: number, options: CanaryOptions): number {
  if (options.canaryReplicas !== undefined) return options.canaryReplicas;
  return options.split === 'pod'
    ? podSplitCanaryReplicas(stableReplicas, options.percentage)
    : routedCanaryReplicas(stableReplicas, options.percentage);
}

export function planCanary(
  manifests: KubeObject[],
  live: LiveObjects,
  options: CanaryOptions,
): CanaryPlan {
  const router = routerFor(options.split);
  const running = (object: KubeObject) => findLive(live, object, options.namespace);
  const targets = manifests.filter((object) => isScalable(object) && running(object));
  const services = servicesFor(manifests, targets);
  const plan: CanaryPlan = {
    apply: [],
    canaries: [],
    baselines: [],
    newStable: [],
    deferred: [],
    routes: [],
  };

  for (const object of manifests) {
    if (!isWorkload(object)) {
      if (targets.length === 0 || !router.replaces(object)) plan.apply.push(object);
    } else if (!running(object)) {
      plan.newStable.push(object);
    } else if (!isScalable(object)) {
      plan.deferred.push(object);
    }
  }
  for (const stable of targets) {
    const current = running(stable)!;
    const replicas = canaryReplicaCount(replicasOf(current) ?? 1, options);
    const keys = router.hidesCanaryPods ? selectorKeysFor(services, stable) : [];
    const track = { replicas, split: options.split, hiddenKeys: keys };
    plan.canaries.push(trackWorkload(stable, { ...track, track: 'canary' }));
    // The baseline runs what stable runs now (the live template), at the canary's size.
    if (options.baseline)
      plan.baselines.push(trackWorkload(current, { ...track, track: 'baseline' }));
  }
  if (targets.length > 0) {
    plan.routes = router
      .routes({ manifests, services, percentage: options.percentage, baseline: options.baseline })
      .map((route) =>
        route.kind === 'TrafficSplit' && options.trafficSplitAnnotations
          ? {
              ...route,
              metadata: {
                ...route.metadata,
                annotations: { ...options.trafficSplitAnnotations, ...route.metadata.annotations },
              },
            }
          : route,
      );
  }
  plan.apply.push(...plan.newStable, ...plan.canaries, ...plan.baselines, ...plan.routes);
  return plan;
}

/** The live canary workloads of the manifests' workloads (what promote and reject act on). */
export function liveCanaries(
  manifests: KubeObject[],
  live: LiveObjects,
  namespace: string,
): KubeObject[] {
  return manifests
    .filter(isScalable)
    .map((object) => findLive(live, object, namespace, trackName(object.metadata.name, 'canary')))
    .filter((object): object is KubeObject => object !== undefined);
}

/** The traffic split a running canary was created with (it outlives the step that made it). */
export function canarySplit(canaries: KubeObject[], fallback: TrafficSplit): TrafficSplit {
  const recorded = canaries[0]?.metadata.annotations?.[TRAFFIC_SPLIT_ANNOTATION];
  return (TRAFFIC_SPLITS as readonly string[]).includes(recorded ?? '')
    ? (recorded as TrafficSplit)
    : fallback;
}

/**
 * Running canaries that the new ones cannot update in place: made with another traffic split,
 * or with another selector (immutable in Kubernetes). They are removed before the new apply.
 */
export function staleCanaries(
  running: KubeObject[],
  plan: CanaryPlan,
  split: TrafficSplit,
): KubeObject[] {
  return running.filter((live) => {
    if (canarySplit([live], split) !== split) return true;
    const next = plan.canaries.find(
      (c) => c.kind === live.kind && c.metadata.name === live.metadata.name,
    );
    return (
      next !== undefined &&
      JSON.stringify(next.spec.selector) !== JSON.stringify(live.spec?.selector)
    );
  });
}

/** Stable manifests running the canary's images, container by container. */
export function promotedManifests(manifests: KubeObject[], canaries: KubeObject[]): KubeObject[] {
  return withImagesOfCopies(manifests, canaries, (name) => trackName(name, 'canary'));
}

/**
 * Only the routing objects that send `percentage` to the canary (and as much to a baseline):
 * what a progressive step changes between its weights. 0 sends everything to stable.
 */
export function canaryRoutes(
  manifests: KubeObject[],
  split: TrafficSplit,
  percentage: number,
  baseline: boolean,
): KubeObject[] {
  const services = servicesFor(manifests, manifests.filter(isScalable));
  return routerFor(split).routes({ manifests, services, percentage, baseline });
}

export interface CanaryRemoval {
  /** Canary and baseline workloads, Services, Ingresses and TrafficSplits to delete. */
  remove: KubeObject[];
  /** Manifest objects that routing rewrote (HTTPRoutes), applied again as written. */
  restore: KubeObject[];
}

export function planCanaryRemoval(manifests: KubeObject[], split: TrafficSplit): CanaryRemoval {
  const router = routerFor(split);
  const workloads = manifests.filter(isScalable);
  const tracked = (track: Track) =>
    workloads.map((w) => ({
      ...w,
      metadata: { ...w.metadata, name: trackName(w.metadata.name, track) },
    }));
  const services = servicesFor(manifests, workloads);
  // Route names depend only on the manifests, so they can be rebuilt without the cluster.
  const input = { manifests, services, percentage: 1, baseline: true };
  let routes: KubeObject[] = [];
  try {
    routes = services.length > 0 ? router.routes(input) : [];
  } catch {
    // The manifests no longer hold the routing object (it moved or the split changed): the
    // canary Services are still known by name.
    routes = trackServices(input, split);
  }
  return {
    remove: [...TRACKS.flatMap(tracked), ...routes.filter((route) => !router.replaces(route))],
    restore: manifests.filter((object) => router.replaces(object)),
  };
}
