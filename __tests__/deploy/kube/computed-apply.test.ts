import {
  checkComputed,
  CLIENT_SIDE_APPLY_MANAGER,
  rebasedWrite,
  computedWrites,
  LAST_APPLIED,
  storeComputed,
} from '../../../src/stages/deploy/kube/computed-apply';
import { ApiRefusal, type KubeApi } from '../../../src/stages/deploy/kube/api';
import type { KubeObject } from '../../../src/stages/deploy/model';

const manifest = (kind: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name },
  data: { x: '2' },
});
const lastApplied = '{"apiVersion":"v1","data":{"x":"2"}}\n';
/** What `kubectl apply --dry-run=server -o json` answers for an object. */
const dryRun = (kind: string, name: string, resourceVersion?: string): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: {
    name,
    namespace: 'ns',
    uid: 'u-1',
    resourceVersion,
    annotations: { [LAST_APPLIED]: lastApplied, other: 'kept' },
    managedFields: [{ manager: 'someone' }],
  },
  data: { x: '2', fromLive: 'y' },
});

describe('computedWrites: the client-side apply as the dry run computed it', () => {
  it('replaces an existing object with the merged one, at its version, without managedFields', () => {
    const plan = computedWrites([manifest('ConfigMap', 'a')], [dryRun('ConfigMap', 'a', '42')]);
    expect(plan).toEqual({
      writes: [
        {
          verb: 'replace',
          object: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: 'a',
              namespace: 'ns',
              uid: 'u-1',
              resourceVersion: '42',
              annotations: { [LAST_APPLIED]: lastApplied, other: 'kept' },
            },
            data: { x: '2', fromLive: 'y' },
          },
        },
      ],
    });
  });

  it('creates a new object from the manifest and the last-applied annotation only', () => {
    const plan = computedWrites([manifest('Service', 's')], [dryRun('Service', 's')]);
    expect(plan).toEqual({
      writes: [
        {
          verb: 'create',
          object: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 's', annotations: { [LAST_APPLIED]: lastApplied } },
            data: { x: '2' },
          },
        },
      ],
    });
  });

  it.each([
    [
      'a missing object',
      [manifest('ConfigMap', 'a'), manifest('Secret', 'b')],
      [dryRun('ConfigMap', 'a', '1')],
      'the dry run returned 1 of 2 objects',
    ],
    [
      'another order',
      [manifest('ConfigMap', 'a')],
      [dryRun('Secret', 'a', '1')],
      "the dry run's object 1 is not ConfigMap/a",
    ],
    [
      'no last-applied annotation',
      [manifest('ConfigMap', 'a')],
      [{ ...dryRun('ConfigMap', 'a', '1'), metadata: { name: 'a', resourceVersion: '1' } }],
      'ConfigMap/a has no last-applied configuration',
    ],
  ])('leaves the batch to kubectl on %s', (_what, batch, computed, reason) => {
    expect(computedWrites(batch, computed)).toEqual({ reason });
  });
});

describe('storeComputed', () => {
  it("writes under kubectl's field manager and stops at the first refusal", async () => {
    const sent: string[] = [];
    const api = {
      write: async (verb: string, object: KubeObject, query: Record<string, string>) => {
        sent.push(`${verb} ${object.metadata.name} ${query.fieldManager}`);
        return object.metadata.name === 'b'
          ? { refused: new Error('Error from server (Conflict): the object has been modified') }
          : { stored: object };
      },
    } as unknown as KubeApi;
    const send = <T>(_what: string, request: () => Promise<T>) => request();
    const writes = ['a', 'b', 'c'].map((name) => ({
      verb: 'replace' as const,
      object: manifest('ConfigMap', name),
    }));
    expect(await storeComputed(api, writes, send)).toEqual({
      reason: 'ConfigMap/b: Error from server (Conflict): the object has been modified',
    });
    expect(sent).toEqual([
      `replace a ${CLIENT_SIDE_APPLY_MANAGER}`,
      `replace b ${CLIENT_SIDE_APPLY_MANAGER}`,
    ]);
  });
});

describe("checkComputed: the writes through the server's dry run first", () => {
  const writes = ['a', 'b', 'c'].map((name) => ({
    verb: 'replace' as const,
    object: manifest('ConfigMap', name),
  }));
  const apiRefusing = (refused: string[], sent: string[]) =>
    ({
      write: async (verb: string, object: KubeObject, query: Record<string, string>) => {
        sent.push(`${verb} ${object.metadata.name} ${query.dryRun} ${query.fieldValidation}`);
        return refused.includes(object.metadata.name)
          ? { refused: new Error(`admission webhook "policy" denied ${object.metadata.name}`) }
          : { stored: object };
      },
    }) as unknown as KubeApi;
  const send = <T>(_what: string, request: () => Promise<T>) => request();

  it('sends every write with dryRun=All and strict validation, and passes when all pass', async () => {
    const sent: string[] = [];
    expect(await checkComputed(apiRefusing([], sent), writes, send)).toBeUndefined();
    expect(sent.sort()).toEqual([
      'replace a All Strict',
      'replace b All Strict',
      'replace c All Strict',
    ]);
  });

  it("names the first refused object in the batch's order", async () => {
    const sent: string[] = [];
    expect(await checkComputed(apiRefusing(['c', 'b'], sent), writes, send)).toBe(
      'ConfigMap/b: admission webhook "policy" denied b',
    );
    // A dry run stores nothing: all are asked, none is left unchecked for a later write.
    expect(sent).toHaveLength(3);
  });
});

describe('rebasedWrite: a Conflict written again when only the status moved', () => {
  const live = (resourceVersion: string, extra: Partial<KubeObject> = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', resourceVersion, managedFields: [{ m: 1 }] },
    spec: { replicas: 4 },
    status: { replicas: 5 },
    ...extra,
  });
  const write = {
    verb: 'replace' as const,
    object: { ...live('10'), metadata: { name: 'web', namespace: 'ns', resourceVersion: '10' } },
  };

  it.each([
    ['only the status and managedFields moved', live('12', { status: { replicas: 4 } }), '12'],
    ['the spec moved too', live('12', { spec: { replicas: 2 } }), undefined],
    [
      'a label was added',
      live('12', { metadata: { ...live('12').metadata, labels: { a: 'b' } } }),
      undefined,
    ],
    ['the object is gone', undefined, undefined],
  ])('%s', (_case, current, expected) => {
    const again = rebasedWrite(write, live('10'), current);
    expect(again?.object.metadata.resourceVersion).toBe(expected);
    if (again) expect(again.object.spec).toEqual(write.object.spec);
  });

  it('needs the base the merge was computed against, and a replace', () => {
    const current = live('12', { status: { replicas: 4 } });
    expect(rebasedWrite(write, live('9'), current)).toBeUndefined();
    expect(rebasedWrite(write, undefined, current)).toBeUndefined();
    expect(rebasedWrite({ ...write, verb: 'create' }, live('10'), current)).toBeUndefined();
  });
});

describe('storeComputed with a rebase', () => {
  it('writes again at the version the rebase gives, after a Conflict only', async () => {
    const sent: string[] = [];
    const api = {
      write: async (_verb: string, object: KubeObject) => {
        sent.push(`${object.metadata.name}@${object.metadata.resourceVersion}`);
        return object.metadata.resourceVersion === '1'
          ? { refused: new ApiRefusal('Conflict', 'the object has been modified') }
          : { stored: object };
      },
    } as unknown as KubeApi;
    const send = <T>(_what: string, request: () => Promise<T>) => request();
    const at = (name: string, resourceVersion: string) => ({
      verb: 'replace' as const,
      object: { ...manifest('ConfigMap', name), metadata: { name, resourceVersion } },
    });
    const rebased: string[] = [];
    const rebase = async (w: { object: KubeObject }) => {
      rebased.push(w.object.metadata.name);
      return w.object.metadata.name === 'a' ? at('a', '2') : undefined;
    };
    expect(await storeComputed(api, [at('a', '1'), at('b', '1')], send, rebase)).toEqual({
      reason: 'ConfigMap/b: Error from server (Conflict): the object has been modified',
    });
    expect(sent).toEqual(['a@1', 'a@2', 'b@1']);
    expect(rebased).toEqual(['a', 'b']);
  });
});
