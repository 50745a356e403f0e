// What the deploy stage reports.
export interface DeployedResource {
  kind: string;
  name: string;
  namespace: string;
  image: string;
}

export type RolloutOutcome = 'succeeded' | 'rolled-back' | 'canary-ready' | 'promoted' | 'rejected';

export interface DeployResult {
  deployed: DeployedResource[];
  rollout: RolloutOutcome;
}
