// How many canary pods a canary percentage means.

/**
 * The pod split: Services send each pod an equal share, so the canary's share of traffic is
 * canary / (stable + canary). Picks the count whose share is nearest the percentage, at least 1.
 */
export function podSplitCanaryReplicas(stableReplicas: number, percentage: number): number {
  const exact = (stableReplicas * percentage) / (100 - percentage);
  const share = (canary: number) => canary / (stableReplicas + canary);
  const low = Math.max(1, Math.floor(exact));
  const high = Math.max(1, Math.ceil(exact));
  const target = percentage / 100;
  return Math.abs(share(low) - target) <= Math.abs(share(high) - target) ? low : high;
}

/**
 * Routed splits (ingress, Gateway API, SMI): the router sends the canary its share, so the
 * canary needs that share of the stable capacity, rounded up, at least 1.
 */
export function routedCanaryReplicas(stableReplicas: number, percentage: number): number {
  return Math.max(1, Math.ceil((stableReplicas * percentage) / 100));
}
