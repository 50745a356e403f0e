// Canary and baseline copies of stable objects: `<name>-canary` / `<name>-baseline`, labelled
// gantry.dev/track in metadata, selector and pod template, and annotated with what they stand
// beside, so a later step (promote, reject) finds them from the cluster alone.
import type { KubeObject, TrafficSplit } from '../../model';
import { freshCopy, podTemplateOf, suffixedLabelValue } from '../../workloads';

export type Track = 'canary' | 'baseline';
export const TRACK_LABEL = 'gantry.dev/track';
export const STABLE_NAME_ANNOTATION = 'gantry.dev/stable-name';
export const TRAFFIC_SPLIT_ANNOTATION = 'gantry.dev/traffic-split';
export const TRACKS: readonly Track[] = ['canary', 'baseline'];

export function trackName(name: string, track: Track): string {
  return `${name}-${track}`;
}

/** A label value with the track appended, kept within the 63-character limit. */
export function trackLabelValue(value: string, track: Track): string {
  return suffixedLabelValue(value, track);
}

/**
 * Labels for a track's pods. `hiddenKeys` are the stable Services' selector keys when routing
 * is done by a router (ingress, Gateway API, SMI): changing those values keeps canary pods out
 * of the stable Services, which then carry stable traffic only.
 */
export function trackLabels(
  labels: Record<string, string> | undefined,
  track: Track,
  hiddenKeys: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    out[key] = hiddenKeys.includes(key) ? trackLabelValue(value, track) : value;
  }
  out[TRACK_LABEL] = track;
  return out;
}

export function trackMetadata(object: KubeObject, track: Track, split: TrafficSplit): KubeObject {
  const copy = freshCopy(object);
  copy.metadata.name = trackName(object.metadata.name, track);
  copy.metadata.labels = { ...copy.metadata.labels, [TRACK_LABEL]: track };
  copy.metadata.annotations = {
    ...copy.metadata.annotations,
    [STABLE_NAME_ANNOTATION]: object.metadata.name,
    [TRAFFIC_SPLIT_ANNOTATION]: split,
  };
  return copy;
}

export interface TrackWorkloadOptions {
  track: Track;
  replicas: number;
  split: TrafficSplit;
  hiddenKeys: readonly string[];
}

/** A canary or baseline workload beside `stable` (a manifest, or the live stable object). */
export function trackWorkload(stable: KubeObject, options: TrackWorkloadOptions): KubeObject {
  const { track, hiddenKeys } = options;
  const copy = trackMetadata(stable, track, options.split);
  copy.spec = { ...copy.spec, replicas: options.replicas };
  const selector = copy.spec.selector ?? {};
  copy.spec.selector = {
    ...selector,
    matchLabels: trackLabels(
      selector.matchLabels ?? podTemplateOf(stable)?.metadata?.labels,
      track,
      hiddenKeys,
    ),
  };
  const template = podTemplateOf(copy);
  if (template) {
    template.metadata = {
      ...template.metadata,
      labels: trackLabels(template.metadata?.labels, track, hiddenKeys),
    };
  }
  return copy;
}

// Azure/k8s-deploy names its canary and baseline `<name>-canary` / `<name>-baseline` too, and
// labels them (metadata, selector, pod template) `workflow/version: canary|baseline`.
export const K8S_DEPLOY_TRACK_LABEL = 'workflow/version';

export function trackOf(object: KubeObject): Track | undefined {
  const labels = object.metadata.labels ?? {};
  const value = labels[TRACK_LABEL] ?? labels[K8S_DEPLOY_TRACK_LABEL];
  return value === 'canary' || value === 'baseline' ? value : undefined;
}

/** True for a canary or baseline that Azure/k8s-deploy started (Gantry's carry its own label). */
export function startedByK8sDeploy(object: KubeObject): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[TRACK_LABEL] === undefined && trackOf(object) !== undefined;
}

/** The stable workload a canary or baseline stands beside. */
export function stableNameOf(object: KubeObject): string {
  const recorded = object.metadata.annotations?.[STABLE_NAME_ANNOTATION];
  if (recorded) return recorded;
  const track = trackOf(object);
  const suffix = track ? `-${track}` : '';
  const name = object.metadata.name;
  return suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}
