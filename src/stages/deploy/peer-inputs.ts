// Azure/k8s-deploy's names for Gantry's deploy inputs and how a clash between the two is
// resolved. What every k8s-deploy input means in Gantry (and the refusals) is the peer table,
// src/peers/table.ts; inputs.ts reads both.

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
