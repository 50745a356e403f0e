// Marks every applied object with where it came from, so `kubectl describe` leads back to the
// repository, commit and workflow run. Only object metadata: pod templates stay untouched, or
// every run would restart the pods.
import type { KubeObject } from './model';
import { clone } from './workloads';

export const ANNOTATION_PREFIX = 'gantry.dev/';

export interface Provenance {
  repository: string;
  commit: string;
  runUrl: string;
}

export function provenanceAnnotations(provenance: Provenance): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (provenance.repository) annotations[`${ANNOTATION_PREFIX}repository`] = provenance.repository;
  if (provenance.commit) annotations[`${ANNOTATION_PREFIX}commit`] = provenance.commit;
  if (provenance.runUrl) annotations[`${ANNOTATION_PREFIX}run-url`] = provenance.runUrl;
  return annotations;
}

export function annotateResources(objects: KubeObject[], provenance: Provenance): KubeObject[] {
  const annotations = provenanceAnnotations(provenance);
  return objects.map((original) => {
    const object = clone(original);
    object.metadata.annotations = { ...object.metadata.annotations, ...annotations };
    return object;
  });
}
