import { goJson } from '../../../src/lib/canonical-json';
import { LAST_APPLIED } from '../../../src/stages/deploy/kube/computed-apply';
import { mergeBatchHere, mergeHere } from '../../../src/stages/deploy/kube/merged-here';
import type { KubeObject } from '../../../src/stages/deploy/model';

const OLD = 'registry.example/web@sha256:' + 'a'.repeat(64);
const NEW = 'registry.example/web@sha256:' + 'b'.repeat(64);

/** The user's Deployment as Gantry hands it to kubectl: image pinned, the run annotated. */
function manifest(image = NEW, run = 'https://ci.example/runs/2'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'gantry.dev/run-url': run } },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }], args: ['--serve'] }],
        },
      },
    },
  };
}

/** What kubectl recorded when it applied `applied`: namespace set, annotations present. */
function recorded(applied: KubeObject): string {
  const object = structuredClone(applied);
  object.metadata.namespace = 'prod';
  object.metadata.annotations ??= {};
  return `${goJson(object)}\n`;
}

/** The Deployment in the cluster after `applied` was applied: defaults, status, versions. */
function live(applied: KubeObject = manifest(OLD, 'https://ci.example/runs/1')): KubeObject {
  const object = structuredClone(applied);
  object.metadata = {
    ...object.metadata,
    namespace: 'prod',
    resourceVersion: '41',
    uid: 'u-1',
    generation: 3,
    annotations: { ...object.metadata.annotations, [LAST_APPLIED]: recorded(applied) },
  };
  const spec = object.spec;
  spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } };
  spec.template.metadata.creationTimestamp = null;
  spec.template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
  spec.template.spec.containers[0].ports[0].protocol = 'TCP';
  spec.template.spec.restartPolicy = 'Always';
  object.status = { replicas: 4, readyReplicas: 4 };
  return object;
}

function merged(want: KubeObject, found: KubeObject | undefined): KubeObject {
  const result = mergeHere(want, found);
  if ('reason' in result) throw new Error(result.reason);
  return result.merged;
}

describe('mergeHere: kubectl client-side apply computed without kubectl', () => {
  it('sets the new image and annotations and the new last-applied; the rest stays as in the cluster', () => {
    const found = live();
    const result = merged(manifest(), found);
    const container = result.spec.template.spec.containers[0];
    expect(container.image).toBe(NEW);
    expect(container.terminationMessagePath).toBe('/dev/termination-log');
    expect(container.ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
    expect(result.metadata.annotations?.['gantry.dev/run-url']).toBe('https://ci.example/runs/2');
    expect(result.metadata.annotations?.[LAST_APPLIED]).toBe(recorded(manifest()));
    expect(result.metadata.resourceVersion).toBe('41');
    expect(result.status).toEqual(found.status);
    expect(result.spec.strategy).toEqual(found.spec.strategy);
    // The live object read is not changed.
    expect(found.spec.template.spec.containers[0].image).toBe(OLD);
  });

  it('leaves an unchanged object exactly as it is in the cluster', () => {
    const applied = manifest();
    expect(merged(applied, live(applied))).toEqual(live(applied));
  });

  it('removes an annotation the manifest no longer has, adds one to the pod template', () => {
    const want = manifest();
    delete want.metadata.annotations;
    want.spec.template.metadata.annotations = { 'prometheus.io/scrape': 'true' };
    const result = merged(want, live());
    expect(result.metadata.annotations?.['gantry.dev/run-url']).toBeUndefined();
    expect(result.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(JSON.parse(result.metadata.annotations![LAST_APPLIED]).metadata.annotations).toEqual({});
  });

  const reasons: [string, (want: KubeObject, found: KubeObject) => void, string][] = [
    [
      'a field the manifest changed',
      (want) => (want.spec.replicas = 5),
      'Deployment/web: .spec.replicas changed since the last apply',
    ],
    [
      'a container added',
      (want) => want.spec.template.spec.containers.push({ name: 'side', image: NEW }),
      'Deployment/web: .spec.template.spec.containers changed since the last apply',
    ],
    [
      'a container renamed along with its image',
      (want) => (want.spec.template.spec.containers[0].name = 'api'),
      'Deployment/web: .spec.template.spec.containers[0].name changed since the last apply',
    ],
    [
      'a label changed',
      (want) => (want.metadata.labels = { app: 'web', tier: 'front' }),
      'Deployment/web: .metadata.labels.tier changed since the last apply',
    ],
    [
      'the cluster scaled away from the manifest (kubectl sets it back)',
      (_, found) => (found.spec.replicas = 6),
      'Deployment/web: .spec.replicas differs in the cluster',
    ],
    [
      'a list merged whole that differs in the cluster',
      (_, found) => found.spec.template.spec.containers[0].args.push('--debug'),
      'Deployment/web: .spec.template.spec.containers[0].args differs in the cluster',
    ],
    [
      'a keyed list with an item more in the cluster',
      (_, found) => found.spec.template.spec.containers[0].ports.push({ containerPort: 9090 }),
      'Deployment/web: .spec.template.spec.containers[0].ports differs in the cluster',
    ],
    [
      'no last-applied configuration (not applied by kubectl)',
      (_, found) => delete found.metadata.annotations?.[LAST_APPLIED],
      'Deployment/web has no last-applied configuration',
    ],
    [
      'a last-applied configuration kubectl did not write',
      (_, found) =>
        (found.metadata.annotations![LAST_APPLIED] = JSON.stringify(
          JSON.parse(found.metadata.annotations![LAST_APPLIED]),
          null,
          2,
        )),
      "Deployment/web: its last-applied configuration is not in kubectl's form",
    ],
    [
      'a last-applied configuration that is not JSON',
      (_, found) => (found.metadata.annotations![LAST_APPLIED] = '{'),
      'Deployment/web: its last-applied configuration is not JSON',
    ],
  ];
  it.each(reasons)('leaves the merge to kubectl: %s', (_, change, reason) => {
    const want = manifest();
    const found = live();
    change(want, found);
    expect(mergeHere(want, found)).toEqual({ reason });
  });

  it('leaves new objects and custom resources to kubectl', () => {
    expect(mergeHere(manifest(), undefined)).toEqual({
      reason: 'Deployment/web is not in the cluster yet',
    });
    const custom = { ...manifest(), apiVersion: 'example.com/v1', kind: 'Widget' };
    expect(mergeHere(custom, { ...live(), apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual({
      reason: 'Widget/web: merged by its own type' + "'s rules",
    });
  });

  it("holds a Secret's stringData by its base64 data, which is all the server keeps", () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web' },
      stringData: { TOKEN: 'a&b' },
    };
    const stored = (token: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'web',
        namespace: 'prod',
        resourceVersion: '7',
        annotations: { [LAST_APPLIED]: recorded(secret) },
      },
      type: 'Opaque',
      data: { TOKEN: Buffer.from(token).toString('base64') },
    });
    expect(merged(secret, stored('a&b'))).toEqual(stored('a&b'));
    expect(recorded(secret)).toContain('"a\\u0026b"');
    expect(mergeHere(secret, stored('changed'))).toEqual({
      reason: 'Secret/web: .stringData differs in the cluster',
    });
  });

  it('merges a batch in order, or names the first object kubectl has to merge', () => {
    expect(mergeBatchHere([manifest(), manifest()], [live(), live()])).toEqual({
      merged: [merged(manifest(), live()), merged(manifest(), live())],
    });
    expect(mergeBatchHere([manifest(), manifest()], [live(), undefined])).toEqual({
      reason: 'Deployment/web is not in the cluster yet',
    });
  });
});

describe("goJson: Go's encoding/json output, as kubectl writes annotations", () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [
      { html: '<a href="x">&</a>' },
      '{"html":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}',
    ],
    [{ lines: 'a\nb\u2028c\u2029' }, '{"lines":"a\\nb\\u2028c\\u2029"}'],
    [{ 'a<b': 1.5 }, '{"a\\u003cb":1.5}'],
  ])('%j', (value, text) => {
    expect(goJson(value)).toBe(text);
  });
});
