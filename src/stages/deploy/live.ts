// The cluster's current objects, as read before anything is applied, looked up by kind,
// namespace and name. '' stands for the kubeconfig context's namespace.
import type { KubeObject } from './model';

export type LiveObjects = Map<string, KubeObject>;

export function liveKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The namespace an object lands in: its own, else the `namespace` input, else ''. */
export function namespaceOf(object: KubeObject, defaultNamespace: string): string {
  return object.metadata.namespace ?? defaultNamespace;
}

export function findLive(
  live: LiveObjects,
  object: KubeObject,
  defaultNamespace: string,
  name = object.metadata.name,
): KubeObject | undefined {
  return live.get(liveKey(object.kind, namespaceOf(object, defaultNamespace), name));
}

/** Groups objects by the namespace they land in, for one kubectl call per namespace. */
export function byNamespace<T>(items: T[], namespace: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = namespace(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}
