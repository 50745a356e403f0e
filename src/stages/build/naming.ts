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

/**
 * With meta: its tags, labels and annotations (which already hold the user's extras), plus any
 * given here. Without meta: `tags` are full references, checked now, before anything builds.
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
    labels: mergeByKey(meta?.labels ?? [], inputs.labels),
    annotations: mergeByKey(meta?.annotations ?? [], inputs.annotations),
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
