// Image pinning: every container and init container whose image is one of the repositories to
// deploy gets that exact reference (usually repo@sha256:… from the build), whatever tag it had.
import { normalizedRepository } from '../../lib/image-reference';
import type { KubeObject } from './model';
import { clone, containersOf, isWorkload, objectRef } from './workloads';

export interface Pin {
  /** kubectl's name of the workload, e.g. deployment/web. */
  workload: string;
  container: string;
  from: string;
  to: string;
}

export interface PinnedManifests {
  objects: KubeObject[];
  pins: Pin[];
  /** Images to pin that no container uses (worth a warning: a typo, or the wrong manifests). */
  unused: string[];
}

export function pinImageDigests(objects: KubeObject[], images: string[]): PinnedManifests {
  const byRepository = new Map(images.map((image) => [normalizedRepository(image), image]));
  const used = new Set<string>();
  const pins: Pin[] = [];
  const pinned = objects.map((original) => {
    if (!isWorkload(original)) return original;
    const object = clone(original);
    for (const container of containersOf(object)) {
      if (!container.image) continue;
      const target = byRepository.get(normalizedRepository(container.image));
      if (!target) continue;
      used.add(target);
      if (container.image !== target) {
        pins.push({
          workload: objectRef(object),
          container: container.name,
          from: container.image,
          to: target,
        });
        container.image = target;
      }
    }
    return object;
  });
  return { objects: pinned, pins, unused: images.filter((image) => !used.has(image)) };
}
