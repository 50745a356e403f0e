// The pod split: canary pods carry the stable labels, so the Services send them traffic in
// proportion to their count. Nothing to route.
import type { TrafficRouter } from './router';

export const podRouter: TrafficRouter = {
  split: 'pod',
  hidesCanaryPods: false,
  routes: () => [],
  replaces: () => false,
};
