// The pod sets a query can name, as PromQL label matchers, and the placeholders that insert
// them. Pods are told apart by name (the `pod` label every Kubernetes scrape config sets): a
// Deployment's pods are `<name>-<template hash>-<suffix>`, so `hello-go-canary-…` never matches
// the stable pattern `hello-go-<a>-<b>` (PromQL regexes match the whole value).
import type { PodSelectors } from './model';

export interface TrackedWorkload {
  kind: string;
  /**
   * The stable workload's name; canary and baseline are `<name>-canary` / `<name>-baseline`,
   * and blue-green's green is `<name>-green`.
   */
  name: string;
}

/** The new version's pods: a canary's, or blue-green's green (`{{canary}}` selects either). */
export type NewVersion = 'canary' | 'green';

export const PLACEHOLDERS = ['canary', 'stable', 'baseline', 'namespace', 'window'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const SEGMENT = '[a-z0-9]+';

// Dots are the only regex character a Kubernetes name may hold; a class needs no backslash,
// which would need doubling inside a PromQL string.
function literal(name: string): string {
  return name.replace(/\./g, '[.]');
}

/** A regex for the pods of one workload, by how its controller names them. */
export function podNamePattern(kind: string, name: string): string {
  const base = literal(name);
  if (kind === 'StatefulSet') return `${base}-[0-9]+`;
  if (kind === 'ReplicaSet') return `${base}-${SEGMENT}`;
  return `${base}-${SEGMENT}-${SEGMENT}`;
}

function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function matchers(namespace: string, workloads: TrackedWorkload[], suffix: string): string {
  const patterns = workloads.map((w) => podNamePattern(w.kind, `${w.name}${suffix}`));
  const pod = patterns.length === 1 ? patterns[0] : `(${patterns.join('|')})`;
  const parts = namespace ? [`namespace=${promString(namespace)}`] : [];
  parts.push(`pod=~${promString(pod)}`);
  return parts.join(',');
}

export function podSelectors(
  namespace: string,
  workloads: TrackedWorkload[],
  newVersion: NewVersion = 'canary',
): PodSelectors {
  return {
    namespace,
    canary: matchers(namespace, workloads, `-${newVersion}`),
    stable: matchers(namespace, workloads, ''),
    baseline: matchers(namespace, workloads, '-baseline'),
  };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][\w-]*)\s*\}\}/g;

/** The placeholder names a query uses, known or not (the spec parser rejects unknown ones). */
export function placeholdersIn(query: string): string[] {
  return [...new Set([...query.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

/** The query for one track: `{{canary}}` may be pointed at another pod set (the baseline). */
export function fillQuery(
  query: string,
  values: Record<Placeholder, string>,
  canaryAs: 'canary' | 'baseline' = 'canary',
): string {
  return query.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'canary') return values[canaryAs];
    return (values as Record<string, string>)[name] ?? whole;
  });
}

/** Seconds as a PromQL range (`90s`, `1m`). */
export function promDuration(seconds: number): string {
  const whole = Math.max(1, Math.round(seconds));
  return whole % 60 === 0 ? `${whole / 60}m` : `${whole}s`;
}

export function placeholderValues(selectors: PodSelectors, windowSeconds: number) {
  return {
    canary: selectors.canary,
    stable: selectors.stable,
    baseline: selectors.baseline,
    namespace: selectors.namespace,
    window: promDuration(windowSeconds),
  } satisfies Record<Placeholder, string>;
}
