// Adds the `imagepullsecrets` input to every workload's pods, keeping the ones already listed.
import type { KubeObject } from './model';
import { clone, isWorkload, podTemplateOf } from './workloads';

export function addImagePullSecrets(objects: KubeObject[], secrets: string[]): KubeObject[] {
  if (secrets.length === 0) return objects;
  return objects.map((original) => {
    if (!isWorkload(original)) return original;
    const object = clone(original);
    const spec = podTemplateOf(object)?.spec;
    if (!spec) return object;
    const current: { name: string }[] = spec.imagePullSecrets ?? [];
    const missing = secrets.filter((name) => !current.some((entry) => entry.name === name));
    spec.imagePullSecrets = [...current, ...missing.map((name) => ({ name }))];
    return object;
  });
}
