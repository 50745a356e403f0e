// What one run may touch: objects in its namespace, cluster-scoped kinds only when allowed, and
// a bounded number of objects. Checked on the manifests before anything is built or applied,
// and again on the API server's answer to a dry run of the whole batch (kinds it alone knows).
import { InputError } from '../../lib/errors';
import type { KubeObject, Manifest } from './model';

/** Objects one run applies at most: beyond this, split the manifests over several steps. */
export const MAX_OBJECTS = 1000;

/** Built-in kinds that belong to the whole cluster, not to a namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'VolumeAttachment',
  'CSIDriver',
  'CSINode',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ClusterIssuer',
  'GatewayClass',
]);

const LISTED = 5;

function listed(lines: string[]): string {
  const more = lines.length > LISTED ? `\n… and ${lines.length - LISTED} more` : '';
  return lines.slice(0, LISTED).join('\n') + more;
}

/** Checks the manifests as read, before any stage runs. */
export function checkScope(
  manifests: Manifest[],
  namespace: string,
  allowClusterScoped: boolean,
): void {
  if (manifests.length > MAX_OBJECTS) {
    throw new InputError(
      'manifests',
      `${manifests.length} objects are more than one run applies (at most ${MAX_OBJECTS}); split them over several deploy steps`,
    );
  }
  if (namespace !== '') {
    const elsewhere = manifests
      .filter((m) => {
        const own = m.object.metadata.namespace;
        return own !== undefined && own !== namespace && !CLUSTER_SCOPED_KINDS.has(m.object.kind);
      })
      .map(
        (m) =>
          `${m.file}:${m.line}: ${m.object.kind}/${m.object.metadata.name} names namespace "${m.object.metadata.namespace}"`,
      );
    if (elsewhere.length > 0) {
      throw new InputError(
        'manifests',
        `objects must be in namespace "${namespace}" (input namespace) or name none:\n${listed(elsewhere)}`,
      );
    }
  }
  if (!allowClusterScoped) {
    const cluster = manifests
      .filter((m) => CLUSTER_SCOPED_KINDS.has(m.object.kind))
      .map((m) => `${m.file}:${m.line}: ${m.object.kind}/${m.object.metadata.name}`);
    if (cluster.length > 0) throw clusterScopedError(cluster);
  }
}

function clusterScopedError(lines: string[]): InputError {
  return new InputError(
    'manifests',
    `cluster-scoped objects reach beyond a namespace and are applied only with allow-cluster-scoped: true:\n${listed(lines)}`,
  );
}

/**
 * The dry run's answer: an object stored without a namespace is cluster-scoped (custom kinds
 * included), refused unless allowed.
 */
export function checkDryRun(stored: KubeObject[], allowClusterScoped: boolean): void {
  if (allowClusterScoped) return;
  const cluster = stored
    .filter((object) => !object.metadata?.namespace)
    .map((object) => `${object.kind}/${object.metadata?.name}`);
  if (cluster.length > 0) throw clusterScopedError(cluster);
}
