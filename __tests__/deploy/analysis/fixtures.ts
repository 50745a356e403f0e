// Checks and rollout facts the analysis and progressive tests share: the two built-in checks
// as the spec parser makes them, and a rollout of Deployment/hello-go in namespace shop.
import type { AnalysisCheck, RolloutFacts } from '../../../src/stages/deploy/analysis/model';
import { podSelectors } from '../../../src/stages/deploy/analysis/selectors';

const common = { provider: 'prometheus', query: 'q', failureLimit: 1, windowSeconds: 60 } as const;

export const successCheck: AnalysisCheck = {
  ...common,
  name: 'success-rate',
  builtin: 'success-rate',
  unit: 'percent',
  higherIsBetter: true,
  min: 99,
};

export const latencyCheck: AnalysisCheck = {
  ...common,
  name: 'latency-p95',
  builtin: 'latency-p95',
  unit: 'seconds',
  higherIsBetter: false,
  max: 0.5,
};

export const helloFacts: RolloutFacts = {
  rollout: 'Deployment/hello-go',
  namespace: 'shop',
  step: 1,
  weight: 10,
  selectors: podSelectors('shop', [{ kind: 'Deployment', name: 'hello-go' }]),
};
