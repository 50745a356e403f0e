// Where an object lives in the API: its resource (the plural in the URL) and whether it is
// namespaced, from the API server's discovery document of its group and version, asked once
// per group-version and run.
import type { KubeObject } from '../model';
import { statusMessage, type ApiHttp } from './http';

export interface Resource {
  /** `/api/v1` or `/apis/apps/v1`. */
  prefix: string;
  plural: string;
  namespaced: boolean;
  /** Its status is written through `<plural>/status` only: a replace leaves it as it is. */
  statusApart: boolean;
}

interface ResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

/** The API group of an object ('' for the core group). */
export function apiGroup(object: KubeObject): string {
  return object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
}

/**
 * API groups the Kubernetes API server serves itself, where its field validation is its own.
 * A custom resource's or an aggregated API's validation, defaulting and merge rules are not.
 */
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apps',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** Whether the object's kind is one the API server serves itself (BUILT_IN_GROUPS). */
export function servedByApiServer(object: KubeObject): boolean {
  return BUILT_IN_GROUPS.has(apiGroup(object));
}

/** The URL prefix of an apiVersion: the core group lives under /api. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The kind a server does not serve, in kubectl's words. */
export class UnknownKindError extends Error {
  constructor(object: KubeObject) {
    super(
      `resource mapping not found for name: "${object.metadata.name}" namespace: "${object.metadata.namespace ?? ''}" from "": no matches for kind "${object.kind}" in version "${object.apiVersion}"`,
    );
    this.name = 'UnknownKindError';
  }
}

export class Resources {
  private readonly lists = new Map<string, Promise<ResourceList | undefined>>();

  constructor(private readonly http: ApiHttp) {}

  private list(prefix: string): Promise<ResourceList | undefined> {
    let found = this.lists.get(prefix);
    if (!found) {
      found = this.http.request('GET', prefix).then((response) => {
        if (response.status === 404) return undefined;
        if (response.status !== 200)
          throw new Error(
            `discovery of ${prefix}: ${response.status} ${statusMessage(response.body)}`,
          );
        return JSON.parse(response.body) as ResourceList;
      });
      // A failed discovery is asked again next time, not remembered.
      found.catch(() => this.lists.delete(prefix));
      this.lists.set(prefix, found);
    }
    return found;
  }

  /** The object's resource; UnknownKindError when its group-version does not serve its kind. */
  async of(object: KubeObject): Promise<Resource> {
    const prefix = groupVersionPath(object.apiVersion);
    const list = await this.list(prefix);
    const match = list?.resources?.find(
      (resource) => resource.kind === object.kind && !resource.name.includes('/'),
    );
    if (!match) throw new UnknownKindError(object);
    const statusApart = list!.resources!.some((r) => r.name === `${match.name}/status`);
    return { prefix, plural: match.name, namespaced: match.namespaced, statusApart };
  }
}

/** The object's URL path: `/apis/apps/v1/namespaces/ns/deployments/web` (name optional). */
export function objectPath(resource: Resource, namespace: string, name?: string): string {
  const where = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${resource.prefix}${where}/${resource.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
