// Azure/k8s-deploy's inputs (its action.yml) and what the deploy stage does with each: the same
// name and meaning, an alias of a Gantry input (with how a clash is resolved), or a refusal
// that names what to do instead. inputs.ts reads them by this table.

export const K8S_DEPLOY = 'Azure/k8s-deploy';

export interface PeerAlias {
  /** k8s-deploy's name. */
  peer: string;
  /** The Gantry input it stands for. */
  gantry: string;
  /** How the two combine when both are set. */
  clash: 'fail' | 'gantry-wins' | 'peer-wins';
}

export const K8S_DEPLOY_ALIASES: readonly PeerAlias[] = [
  { peer: 'action', gantry: 'deploy-action', clash: 'fail' },
  { peer: 'traffic-split-method', gantry: 'traffic-split', clash: 'fail' },
  { peer: 'percentage', gantry: 'canary-percentage', clash: 'fail' },
  { peer: 'baseline-and-canary-replicas', gantry: 'canary-replicas', clash: 'fail' },
  // With `stages: deploy` (or whenever meta does not run); meta owns `images` otherwise.
  { peer: 'images', gantry: 'deploy-images', clash: 'fail' },
  // Also trivy-action's name (scan reads it as Trivy's --timeout), so both may well be set.
  { peer: 'timeout', gantry: 'rollout-timeout', clash: 'gantry-wins' },
  // github-token always has a value (the runner's default), so an explicit `token` wins.
  { peer: 'token', gantry: 'github-token', clash: 'peer-wins' },
];

/** k8s-deploy inputs Gantry has under the same name and with the same meaning. */
export const K8S_DEPLOY_SAME = [
  'namespace',
  'manifests',
  'imagepullsecrets',
  'strategy',
  'force',
  'server-side',
  'annotate-resources',
] as const;

/** k8s-deploy inputs Gantry implements under their own name (deploy section of action.yml). */
export const K8S_DEPLOY_OWN = [
  'pull-images',
  'annotate-namespace',
  'skip-tls-verify',
  'traffic-split-annotations',
] as const;

/**
 * Inputs for what Gantry does not do; each value that changes nothing (the peer's default) is
 * accepted, anything else fails with the message here.
 */
export const K8S_DEPLOY_REFUSED: Record<string, { noop: string[]; instead: string }> = {
  'route-method': {
    noop: ['', 'service'],
    instead:
      'route-method is for strategy: blue-green, which Gantry does not have yet (a later ' +
      'release adds it); for a canary, traffic-split chooses the routing (pod, ingress-nginx, ' +
      'gateway-api, smi)',
  },
  'version-switch-buffer': {
    noop: ['', '0'],
    instead:
      'version-switch-buffer is for strategy: blue-green, which Gantry does not have yet; ' +
      'with strategy: canary, wait between deploy-action: deploy and promote in your workflow ' +
      '(e.g. an environment with a wait timer)',
  },
  'private-cluster': {
    noop: ['', 'false'],
    instead:
      'Gantry runs kubectl against the API server itself and cannot go through ' +
      '`az aks command invoke`; for an AKS private cluster run the job on a runner inside the ' +
      "cluster's network, get a kubeconfig with azure/aks-set-context (or the kubeconfig input), " +
      'and remove private-cluster',
  },
  'resource-group': {
    noop: [''],
    instead:
      'resource-group is only for AKS private clusters (private-cluster), which Gantry does ' +
      'not reach through Azure; pass it to azure/aks-set-context, which writes the kubeconfig ' +
      'Gantry uses, and remove it here',
  },
  name: {
    noop: [''],
    instead:
      'name (the AKS private cluster) is only for private-cluster, which Gantry does not reach ' +
      'through Azure; pass the cluster name to azure/aks-set-context as cluster-name, and ' +
      'remove it here',
  },
  'resource-type': {
    noop: ['', 'microsoft.containerservice/managedclusters'],
    instead:
      'Gantry deploys to one cluster through its kubeconfig; for an Azure Kubernetes Fleet ' +
      "Manager fleet, deploy to each member cluster with that cluster's kubeconfig (from " +
      'azure/aks-set-context), and remove resource-type',
  },
};
