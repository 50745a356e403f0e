// kubectl's client-side apply computed here, for the deploy most runs make: the manifests as
// they were last applied but for the images (pinned to the new digest) and annotations (the
// run, the commit). kubectl's three-way merge then has no merge rules to apply: every field the
// manifest names is in the cluster as the manifest says, so the apply sets the changed values
// and the new last-applied annotation, and leaves the rest of the live object as it is. That is
// what this computes, without starting kubectl. Anything else (a field changed, added or
// removed; the cluster drifted from the manifest, which kubectl would set back; a custom
// resource, merged by its own rules; an object not there yet) is left to kubectl's dry run.
import { canonicalJson, goJson } from '../../../lib/canonical-json';
import type { KubeObject } from '../model';
import { LAST_APPLIED } from './computed-apply';
import { servedByApiServer } from './resources';

type Path = (string | number)[];

/** A value the apply sets (or, undefined, removes) at a path of the object. */
interface Change {
  path: Path;
  value: unknown;
}

/**
 * Lists kubectl's strategic merge matches item by item on a key (Kubernetes' patchMergeKey): in
 * the cluster their items carry fields the server filled in (a port's protocol, a container's
 * terminationMessagePath), which the merge leaves alone. Any other list is replaced whole by a
 * merge that touches it, so it must be in the cluster exactly as in the manifest.
 */
const KEYED_LISTS = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'ports',
  'env',
  'volumeMounts',
  'volumeDevices',
  'volumes',
  'imagePullSecrets',
  'hostAliases',
  'topologySpreadConstraints',
  'resourceClaims',
]);

const CONTAINER_LISTS = new Set(['containers', 'initContainers']);

function isMap(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function describe(path: Path): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('') || '.';
}

/** An annotations map reached through maps only (the object's, a pod template's). */
function isAnnotations(path: Path): boolean {
  return path.at(-1) === 'annotations' && path.every((part) => typeof part === 'string');
}

/** A container's image: `…containers[i].image`, reached through maps but for that list. */
function isContainerImage(path: Path): boolean {
  const list = path.at(-3);
  return (
    path.at(-1) === 'image' &&
    typeof path.at(-2) === 'number' &&
    typeof list === 'string' &&
    CONTAINER_LISTS.has(list) &&
    path.slice(0, -3).every((part) => typeof part === 'string')
  );
}

/**
 * The changes from the last-applied configuration to the manifest, or where they differ in a
 * way this does not merge (anything but an annotation or a container's image).
 */
function changesFrom(
  before: unknown,
  after: unknown,
  path: Path,
  changes: Change[],
): string | undefined {
  if (
    isAnnotations(path) &&
    (isMap(before) || before === undefined) &&
    (isMap(after) || after === undefined)
  ) {
    const was = before ?? {};
    const now = after ?? {};
    for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (was[key] !== now[key]) changes.push({ path: [...path, key], value: now[key] });
    }
    return undefined;
  }
  if (isContainerImage(path) && typeof before === 'string' && typeof after === 'string') {
    if (before !== after) changes.push({ path, value: after });
    return undefined;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length !== after.length) return describe(path);
    for (const [index, item] of after.entries()) {
      const where = changesFrom(before[index], item, [...path, index], changes);
      if (where) return where;
    }
    return undefined;
  }
  if (isMap(before) && isMap(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const where = changesFrom(before[key], after[key], [...path, key], changes);
      if (where) return where;
    }
    return undefined;
  }
  return before === after ? undefined : describe(path);
}

/**
 * Where the live object does not hold what the manifest says (a merge would change it), or
 * undefined. `skip` holds the paths the apply sets anyway.
 */
function notHeld(live: unknown, want: unknown, path: Path, skip: Set<string>): string | undefined {
  if (skip.has(JSON.stringify(path))) return undefined;
  if (Array.isArray(want)) {
    const list = path.at(-1);
    if (typeof list === 'string' && KEYED_LISTS.has(list)) {
      if (!Array.isArray(live) || live.length !== want.length) return describe(path);
      for (const [index, item] of want.entries()) {
        const where = notHeld(live[index], item, [...path, index], skip);
        if (where) return where;
      }
      return undefined;
    }
    return canonicalJson(live) === canonicalJson(want) ? undefined : describe(path);
  }
  if (isMap(want)) {
    // An annotations map the apply adds is held as far as its keys are (the apply sets them).
    if (!isMap(live) && !(live === undefined && isAnnotations(path))) return describe(path);
    const have = isMap(live) ? live : {};
    for (const [key, value] of Object.entries(want)) {
      const where = notHeld(have[key], value, [...path, key], skip);
      if (where) return where;
    }
    return undefined;
  }
  return live === want ? undefined : describe(path);
}

/** A Secret's stringData is stored base64-encoded in data, under the same keys. */
function stringDataHeld(live: KubeObject, want: KubeObject): boolean {
  const strings: unknown = want.stringData;
  if (strings === undefined) return true;
  if (!isMap(strings)) return false;
  const data: unknown = live.data;
  return Object.entries(strings).every(
    ([key, value]) =>
      typeof value === 'string' &&
      isMap(data) &&
      data[key] === Buffer.from(value, 'utf8').toString('base64'),
  );
}

function setAt(object: Record<string, unknown>, path: Path, value: unknown): void {
  let node: Record<string | number, unknown> = object;
  for (const part of path.slice(0, -1)) {
    if (!node[part] || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The manifest as kubectl records it: the target namespace set, annotations present. */
function asKubectlRecords(manifest: KubeObject, namespace: string | undefined): KubeObject {
  const object = JSON.parse(JSON.stringify(manifest)) as KubeObject;
  const annotations = { ...object.metadata.annotations };
  delete annotations[LAST_APPLIED];
  object.metadata = { ...object.metadata, annotations };
  if (namespace && !object.metadata.namespace) object.metadata.namespace = namespace;
  return object;
}

/**
 * The object kubectl's client-side apply of `manifest` would leave, computed from `live` when
 * only annotations and images changed since the last apply; else why kubectl has to merge.
 */
export function mergeHere(
  manifest: KubeObject,
  live: KubeObject | undefined,
): { merged: KubeObject } | { reason: string } {
  const ref = `${manifest.kind}/${manifest.metadata.name}`;
  if (!servedByApiServer(manifest)) return { reason: `${ref}: merged by its own type's rules` };
  if (!live) return { reason: `${ref} is not in the cluster yet` };
  const recorded = live.metadata.annotations?.[LAST_APPLIED];
  if (!recorded) return { reason: `${ref} has no last-applied configuration` };
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(recorded);
  } catch {
    return { reason: `${ref}: its last-applied configuration is not JSON` };
  }
  // Written as kubectl writes it, so the annotation written here is too.
  if (`${goJson(lastApplied)}\n` !== recorded)
    return { reason: `${ref}: its last-applied configuration is not in kubectl's form` };
  const wanted = asKubectlRecords(manifest, live.metadata.namespace);
  const changes: Change[] = [];
  const changed = changesFrom(lastApplied, wanted, [], changes);
  if (changed) return { reason: `${ref}: ${changed} changed since the last apply` };
  const skip = new Set(changes.map((change) => JSON.stringify(change.path)));
  const secret = manifest.apiVersion === 'v1' && manifest.kind === 'Secret';
  if (secret && !stringDataHeld(live, wanted))
    return { reason: `${ref}: .stringData differs in the cluster` };
  // A Secret's stringData was checked against its data above; the server keeps no stringData.
  const held: KubeObject = { ...wanted };
  if (secret) delete held.stringData;
  const drifted = notHeld(live, held, [], skip);
  if (drifted) return { reason: `${ref}: ${drifted} differs in the cluster` };
  const merged = JSON.parse(JSON.stringify(live)) as KubeObject;
  for (const change of changes) setAt(merged, change.path, change.value);
  merged.metadata.annotations = {
    ...merged.metadata.annotations,
    [LAST_APPLIED]: `${goJson(wanted)}\n`,
  };
  return { merged };
}

/** mergeHere for a batch, in its order; the first object kubectl has to merge says why. */
export function mergeBatchHere(
  batch: KubeObject[],
  live: (KubeObject | undefined)[],
): { merged: KubeObject[] } | { reason: string } {
  const merged: KubeObject[] = [];
  for (const [index, manifest] of batch.entries()) {
    const one = mergeHere(manifest, live[index]);
    if ('reason' in one) return one;
    merged.push(one.merged);
  }
  return { merged };
}
