import {
  podSplitCanaryReplicas,
  routedCanaryReplicas,
} from '../../src/stages/deploy/strategies/canary/replicas';

describe('canary replica arithmetic', () => {
  // canary / (stable + canary) as near the percentage as whole pods allow, at least one.
  it.each([
    [10, 20, 3], // 3/13 = 23% beats 2/12 = 17%
    [10, 50, 10],
    [4, 20, 1],
    [1, 10, 1],
    [1, 50, 1],
    [9, 10, 1],
    [10, 1, 1],
    [3, 75, 9],
    [100, 25, 33],
    [0, 20, 1],
  ])('pod split: %i stable at %i%% -> %i canary', (stable, percentage, canary) => {
    expect(podSplitCanaryReplicas(stable, percentage)).toBe(canary);
  });

  it.each([
    [10, 20, 2],
    [10, 25, 3],
    [4, 10, 1],
    [1, 99, 1],
    [0, 50, 1],
  ])('routed split: %i stable at %i%% -> %i canary', (stable, percentage, canary) => {
    expect(routedCanaryReplicas(stable, percentage)).toBe(canary);
  });
});
