// Where each workload kind keeps its pods: the pod template, its containers and its size.
// Everything that reads or edits pod specs goes through here, so every kind is handled alike.
import type { KubeObject } from './model';

export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds that run a number of interchangeable replicas: the ones a canary can stand beside. */
export const SCALABLE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'ReplicaSet'];
/** Kinds `kubectl rollout status` understands. */
export const ROLLOUT_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet'];

/* eslint-disable @typescript-eslint/no-explicit-any -- pod specs are open-ended JSON */
export interface Container {
  name: string;
  image?: string;
  [field: string]: any;
}

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [f: string]: any;
  };
  spec?: { containers?: Container[]; initContainers?: Container[]; [f: string]: any };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function isWorkload(object: KubeObject): boolean {
  return (WORKLOAD_KINDS as readonly string[]).includes(object.kind);
}

/** The pod template of a workload; a Pod is its own template. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  switch (object.kind) {
    case 'Pod':
      return object as PodTemplate;
    case 'CronJob':
      return object.spec?.jobTemplate?.spec?.template;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return object.spec?.template;
    default:
      return undefined;
  }
}

/** Containers and init containers, the ones whose images get pinned. */
export function containersOf(object: KubeObject): Container[] {
  const spec = podTemplateOf(object)?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

export function imagesOf(object: KubeObject): string[] {
  return [...new Set((podTemplateOf(object)?.spec?.containers ?? []).map((c) => c.image ?? ''))];
}

/** Declared replicas; Kubernetes defaults a missing count to 1. */
export function replicasOf(object: KubeObject): number | undefined {
  if (!SCALABLE_KINDS.includes(object.kind)) return undefined;
  const replicas = object.spec?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** `deployment/web`: how kubectl names one object. */
export function objectRef(object: KubeObject): string {
  return `${object.kind.toLowerCase()}/${object.metadata.name}`;
}

/** Identity of an object across manifests and the cluster: kind, namespace and name. */
export function objectKey(object: KubeObject, namespace = ''): string {
  return `${object.kind}/${object.metadata.namespace ?? namespace}/${object.metadata.name}`;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

// Server-filled fields that must not be copied from a live object into a new one.
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'ownerReferences',
  'selfLink',
];
const SERVER_ANNOTATIONS = [
  'deployment.kubernetes.io/revision',
  'kubectl.kubernetes.io/last-applied-configuration',
];

/**
 * A copy of an object (a manifest, or one read from the cluster) to create beside it under
 * another name: without its status and what the server filled in.
 */
export function freshCopy(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  const annotations = { ...copy.metadata.annotations };
  for (const key of SERVER_ANNOTATIONS) delete annotations[key];
  copy.metadata.annotations = annotations;
  return copy;
}

/** A label value with `-<suffix>` appended, kept within the 63-character limit. */
export function suffixedLabelValue(value: string, suffix: string): string {
  const tail = `-${suffix}`;
  return value.slice(0, 63 - tail.length).replace(/[^A-Za-z0-9]+$/, '') + tail;
}

/**
 * The manifests' workloads running the images of their copies beside them (a canary, green),
 * container by container: what a promote rolls out, so it ships what was judged even when the
 * promoting job names no image.
 */
export function withImagesOfCopies(
  manifests: KubeObject[],
  copies: KubeObject[],
  copyName: (name: string) => string,
): KubeObject[] {
  return manifests.map((object) => {
    const copy = copies.find(
      (c) => c.kind === object.kind && c.metadata.name === copyName(object.metadata.name),
    );
    if (!copy) return object;
    const promoted = clone(object);
    const images = new Map(containersOf(copy).map((c) => [c.name, c.image]));
    for (const container of containersOf(promoted)) {
      const image = images.get(container.name);
      if (image) container.image = image;
    }
    return promoted;
  });
}
