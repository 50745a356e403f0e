// What Trivy scans: scan-ref, or the image the build stage made — by digest when it was
// pushed, by image ID when it was only loaded into the engine (neither can move like a tag).
import * as path from 'path';
import { InputError } from '../../lib/errors';
import type { BuildResult } from '../build/model';
import type { ScanType } from './model';

export interface ScanTarget {
  /** What Trivy is given. */
  target: string;
  /** How the reports name it: workspace-relative paths, the tag beside an image ID. */
  label: string;
  /** Where Trivy finds the image; unset lets Trivy try the engine, then the registry. */
  imageSource?: 'docker';
}

export function scanTarget(
  scanType: ScanType,
  scanRef: string,
  build: Pick<BuildResult, 'image' | 'imageId' | 'pushed' | 'loaded' | 'tags'> | undefined,
  workspace: string,
): ScanTarget {
  if (scanType !== 'image') {
    return { target: scanRef, label: path.relative(workspace, scanRef) || '.' };
  }
  if (scanRef) return { target: scanRef, label: scanRef };
  if (!build) {
    throw new InputError(
      'scan-ref',
      'nothing to scan: set scan-ref to an image reference or run the build stage',
    );
  }
  if (build.pushed && build.image) return { target: build.image, label: build.image };
  if (build.loaded && build.imageId) {
    const name = build.tags[0];
    return {
      target: build.imageId,
      label: name ? `${name} (${build.imageId})` : build.imageId,
      imageSource: 'docker',
    };
  }
  throw new InputError(
    'scan-ref',
    'the build stage neither pushed nor loaded an image to scan; set push or load, or scan-ref',
  );
}
