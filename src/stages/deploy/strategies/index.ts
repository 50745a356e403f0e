// The deploy strategies by name, as traffic/ keys the splits: the compiler insists that every
// name in STRATEGIES has one. A strategy gets the deploy context (kubectl, inputs, the cluster
// as read before, cancellation, journal) and the prepared manifests, and says what happened.
import type { KubeObject, Strategy } from '../model';
import { deployCanary, promoteCanary, rejectCanary } from './canary';
import { deployBlueGreen, promoteBlueGreen, rejectBlueGreen } from './blue-green';
import { progressiveCanary } from './canary/progressive';
import { rollingDeploy, type DeployContext, type StrategyOutcome } from './rolling';

export interface DeployStrategy {
  name: Strategy;
  run(dc: DeployContext, manifests: KubeObject[]): Promise<StrategyOutcome>;
}

const rolling: DeployStrategy = {
  name: 'rolling',
  run: (dc, manifests) => rollingDeploy(dc, manifests),
};

const canary: DeployStrategy = {
  name: 'canary',
  run(dc, manifests) {
    if (dc.inputs.action === 'promote') return promoteCanary(dc, manifests);
    if (dc.inputs.action === 'reject') return rejectCanary(dc, manifests);
    if (dc.inputs.progressive) return progressiveCanary(dc, manifests, dc.inputs.progressive);
    return deployCanary(dc, manifests);
  },
};

const blueGreen: DeployStrategy = {
  name: 'blue-green',
  run(dc, manifests) {
    if (dc.inputs.action === 'promote') return promoteBlueGreen(dc, manifests);
    if (dc.inputs.action === 'reject') return rejectBlueGreen(dc, manifests);
    return deployBlueGreen(dc, manifests);
  },
};

const STRATEGY_REGISTRY: Record<Strategy, DeployStrategy> = {
  rolling,
  canary,
  'blue-green': blueGreen,
};

export function strategyFor(name: Strategy): DeployStrategy {
  return STRATEGY_REGISTRY[name];
}

export type { DeployContext, StrategyOutcome } from './rolling';
