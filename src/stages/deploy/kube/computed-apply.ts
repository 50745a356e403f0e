// kubectl's client-side apply, written as kubectl's own server dry run computed it. The dry run
// (`kubectl apply --dry-run=server`, run once anyway as the batch's check) returns every object
// as the apply would leave it: the three-way merge of the last-applied configuration, the
// manifest and the live object, with the new last-applied annotation. Writing exactly that, at
// the resourceVersion the merge was computed against and under kubectl's field manager, stores
// what the apply would store, without a second kubectl process computing the merge again.
// Anything that does not line up (an object changed since, a create the server refuses, a
// write the credentials may not make) leaves the batch to `kubectl apply`, which is idempotent.
import { canonicalJson } from '../../../lib/canonical-json';
import type { KubeObject } from '../model';
import { ApiRefusal, type KubeApi } from './api';

/** The field manager kubectl's client-side apply records its writes under. */
export const CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export type ComputedWrite =
  { verb: 'replace'; object: KubeObject } | { verb: 'create'; object: KubeObject };

/**
 * The writes that store the dry run's result for each object of the batch, in order; a reason
 * instead when the dry run's answer does not line up with the batch.
 */
export function computedWrites(
  batch: KubeObject[],
  computed: KubeObject[],
): { writes: ComputedWrite[] } | { reason: string } {
  if (computed.length !== batch.length)
    return { reason: `the dry run returned ${computed.length} of ${batch.length} objects` };
  const writes: ComputedWrite[] = [];
  for (const [index, object] of batch.entries()) {
    const result = computed[index];
    if (result.kind !== object.kind || result.metadata.name !== object.metadata.name)
      return {
        reason: `the dry run's object ${index + 1} is not ${object.kind}/${object.metadata.name}`,
      };
    const lastApplied = result.metadata.annotations?.[LAST_APPLIED];
    if (!lastApplied)
      return { reason: `${object.kind}/${object.metadata.name} has no last-applied configuration` };
    if (result.metadata.resourceVersion) {
      // An update: the merged object, at the version it was merged with. The server keeps
      // managedFields when none are sent, and records this write's changes under kubectl's manager.
      const metadata = { ...result.metadata };
      delete metadata.managedFields;
      writes.push({ verb: 'replace', object: { ...result, metadata } });
    } else {
      // A create: kubectl sends the manifest with its last-applied annotation, not the dry run's
      // placeholders (a Service's dry-run cluster IP, a uid).
      writes.push({
        verb: 'create',
        object: {
          ...object,
          metadata: {
            ...object.metadata,
            annotations: { ...object.metadata.annotations, [LAST_APPLIED]: lastApplied },
          },
        },
      });
    }
  }
  return { writes };
}

/**
 * Stores the writes one after another; the objects as stored, or the first refusal's message
 * (the caller then runs `kubectl apply` for the batch).
 */
export async function storeComputed(
  api: KubeApi,
  writes: ComputedWrite[],
  send: <T>(what: string, request: () => Promise<T>) => Promise<T>,
  rebase: Rebase = async () => undefined,
): Promise<{ stored: KubeObject[] } | { reason: string }> {
  const query = { fieldManager: CLIENT_SIDE_APPLY_MANAGER, fieldValidation: 'Strict' };
  const stored: KubeObject[] = [];
  for (const write of writes) {
    const ref = `${write.object.kind}/${write.object.metadata.name}`;
    const result = await writeOnce(write, rebase, (w) =>
      send(`${w.verb} ${ref} (client-side apply)`, () => api.write(w.verb, w.object, query)),
    );
    if (!result.stored) return { reason: `${ref}: ${result.refused?.message ?? 'not stored'}` };
    stored.push(result.stored);
  }
  return { stored };
}

/** The write at the object's current version when only its status moved (rebasedWrite). */
export type Rebase = (write: ComputedWrite) => Promise<ComputedWrite | undefined>;

type WriteResult = { stored?: KubeObject; refused?: Error };

/** A write, and on a Conflict the rebased one, once. */
async function writeOnce(
  write: ComputedWrite,
  rebase: Rebase,
  request: (write: ComputedWrite) => Promise<WriteResult>,
): Promise<WriteResult> {
  const result = await request(write);
  if (!isConflict(result.refused)) return result;
  const again = await rebase(write);
  return again ? request(again) : result;
}

/**
 * The writes sent with dryRun=All, side by side (nothing is stored, so order does not matter):
 * the server's admission and strict validation of exactly what will be written, at the
 * resourceVersions it will be written at. Undefined when every one passed, else the first
 * refusal's message.
 */
export async function checkComputed(
  api: KubeApi,
  writes: ComputedWrite[],
  send: <T>(what: string, request: () => Promise<T>) => Promise<T>,
  rebase: Rebase = async () => undefined,
): Promise<string | undefined> {
  const query = {
    fieldManager: CLIENT_SIDE_APPLY_MANAGER,
    fieldValidation: 'Strict',
    dryRun: 'All',
  };
  const results = await Promise.all(
    writes.map((write) => {
      const ref = `${write.object.kind}/${write.object.metadata.name}`;
      return writeOnce(write, rebase, (w) =>
        send(`${w.verb} ${ref} (client-side apply, dry run)`, () =>
          api.write(w.verb, w.object, query),
        ),
      ).then((result) =>
        result.stored ? undefined : `${ref}: ${result.refused?.message ?? 'not stored'}`,
      );
    }),
  );
  return results.find((reason) => reason !== undefined);
}

/** The object without what the server changes on its own: status, resourceVersion, managedFields. */
function withoutServerChanges(object: KubeObject): string {
  const metadata = { ...object.metadata };
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  const rest: KubeObject = { ...object, metadata };
  delete rest.status;
  return canonicalJson(rest);
}

/**
 * A replace refused as a Conflict, sent again at the object's current resourceVersion when
 * the object changed only where a replace does not write (its status, which a controller
 * updates, with a status subresource): the merge computed against `base` still holds. Else
 * undefined.
 */
export function rebasedWrite(
  write: ComputedWrite,
  base: KubeObject | undefined,
  current: KubeObject | undefined,
): ComputedWrite | undefined {
  if (write.verb !== 'replace' || !base || !current?.metadata.resourceVersion) return undefined;
  if (base.metadata.resourceVersion !== write.object.metadata.resourceVersion) return undefined;
  if (withoutServerChanges(base) !== withoutServerChanges(current)) return undefined;
  const metadata = { ...write.object.metadata, resourceVersion: current.metadata.resourceVersion };
  return { verb: 'replace', object: { ...write.object, metadata } };
}

/** Whether a write was refused because the object changed since its resourceVersion. */
export function isConflict(refused: Error | undefined): boolean {
  return refused instanceof ApiRefusal && refused.reason === 'Conflict';
}
