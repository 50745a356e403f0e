// Which names, labels and annotations the image gets: the meta stage's results merged with the
// build inputs, or, without meta, `tags` as full image references (build-push-action style).
import { InputError } from '../../lib/errors';
import type { PipelineResults } from '../types';
import type { BuildInputs } from './model';
import { parseImageRef } from './refs';

/** `key=value` items; a later item replaces an earlier one with the same key (and moves last). */
export function mergeByKey(...lists: string[][]): string[] {
  const byKey = new Map<string, string>();
  for (const item of lists.flat()) {
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at) : item;
    byKey.delete(key);
    byKey.set(key, item);
  }
  return [...byKey.values()];
}

export interface ImageNaming {
  tags: string[];
  labels: string[];
  annotations: string[];
}

// `manifest,index:key=value` -> `key`: an annotation's key without its levels.
const ANNOTATION_LEVELS =
  /^(?:(?:manifest|index|manifest-descriptor|index-descriptor)(?:\[[^\]]*\])?,?)+:/;

function annotationKey(item: string): string {
  const at = item.indexOf('=');
  const key = at > 0 ? item.slice(0, at) : item;
  return key.replace(ANNOTATION_LEVELS, '');
}

function labelKey(item: string): string {
  const at = item.indexOf('=');
  return at > 0 ? item.slice(0, at) : item;
}

/** The items of `given` whose key is not among `rendered` (by `keyOf`). */
function notRendered(rendered: string[], given: string[], keyOf: (item: string) => string) {
  const keys = new Set(rendered.map(keyOf));
  return given.filter((item) => !keys.has(keyOf(item)));
}

/**
 * With meta: its tags, and its labels and annotations, which are the user's `labels` and
 * `annotations` with templates rendered (`team={{branch}}` -> `team=main`) on every level
 * asked for: the raw input must not go over them, so only keys meta did not render are added.
 * Without meta: `tags` are full references, checked now, before anything builds.
 */
export function resolveNaming(inputs: BuildInputs, previous: PipelineResults): ImageNaming {
  const meta = previous.meta;
  if (!meta) {
    const bad = inputs.tags.filter((tag) => !parseImageRef(tag));
    if (bad.length > 0) {
      throw new InputError(
        'tags',
        `without the meta stage, tags are full image references (ghcr.io/acme/app:1.0); ` +
          `not one: ${bad.join(', ')}`,
      );
    }
  }
  const naming = {
    tags: meta ? [...meta.tags] : [...new Set(inputs.tags)],
    labels: meta
      ? [...meta.labels, ...notRendered(meta.labels, inputs.labels, labelKey)]
      : mergeByKey(inputs.labels),
    annotations: meta
      ? [...meta.annotations, ...notRendered(meta.annotations, inputs.annotations, annotationKey)]
      : mergeByKey(inputs.annotations),
  };
  if ((inputs.push || inputs.cache === 'registry') && naming.tags.length === 0) {
    throw new InputError(
      inputs.push ? 'push' : 'cache',
      meta
        ? 'the meta stage produced no tags (is `images` set?), so there is nothing to push to'
        : 'there is no image name: set `tags` to full references such as ghcr.io/acme/app:1.0',
    );
  }
  return naming;
}
