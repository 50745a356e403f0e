// Every stage, in pipeline order. A stage's code is loaded only when it is selected, so a
// meta-only run does not evaluate buildx, Trivy or kubectl code (and their dependencies).
import type { StageEntry } from './types';

export const STAGES: readonly StageEntry[] = [
  { name: 'meta', available: true, load: async () => (await import('./meta')).metaStage },
  { name: 'build', available: true, load: async () => (await import('./build')).buildStage },
  { name: 'scan', available: true, load: async () => (await import('./scan')).scanStage },
  { name: 'deploy', available: true, load: async () => (await import('./deploy')).deployStage },
];
