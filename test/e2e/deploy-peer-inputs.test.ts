// Azure/k8s-deploy's `with:` blocks pasted into a Gantry step, through the runner-like harness
// against the testbed's cluster: its README examples (registry and namespace pointed at the
// testbed) deploy, pin and run the canary flow, and canaries k8s-deploy itself started (objects
// shaped as it leaves them) are promoted and rejected by Gantry.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runAction, type ActionResult } from '../harness/runner';
import { testbedEnv } from '../harness/testbed';
import {
  ensureRoutingCrds,
  exists,
  getJson,
  kubectlOk,
  pods,
  settledEndpointCount,
  TestNamespaces,
} from '../harness/kube';
import { k8sDeployCanary, k8sDeployMarks } from '../fixtures/deploy/k8s-deploy-canary';

jest.setTimeout(10 * 60_000);

const env = testbedEnv();
const REPOSITORY = '127.0.0.1:5000/peer-k8sdeploy/myapp';
const TAG_1 = `${REPOSITORY}:run-101`;
const TAG_2 = `${REPOSITORY}:run-102`;
const IMAGE_A = `${REPOSITORY}@sha256:${'a'.repeat(64)}`;
const IMAGE_B = `${REPOSITORY}@sha256:${'b'.repeat(64)}`;
const MANIFESTS = 'deployment.yaml\nservice.yaml';

const namespaces = new TestNamespaces('gantry-e2e-k8sd');
afterAll(() => namespaces.deleteAll());

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: `${REPOSITORY}:latest`, ports: [{ containerPort: 8080 }] },
        ],
      },
    },
  },
});
const service = () => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
});

/** A checkout with the README's deployment.yaml and service.yaml. */
function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-k8sdeploy-'));
  fs.writeFileSync(path.join(dir, 'deployment.yaml'), stringify(deployment()));
  fs.writeFileSync(path.join(dir, 'service.yaml'), stringify(service()));
  return dir;
}

/** The step as the user pasted it: only the `with:` block, no Gantry inputs added. */
function step(cwd: string, withBlock: Record<string, string>): Promise<ActionResult> {
  return runAction({ inputs: withBlock, event: 'push-branch-main', env, cwd });
}

function expectRollout(result: ActionResult, rollout: string): void {
  if (result.exitCode !== 0)
    throw new Error(`action failed:\n${result.errors.join('\n')}\n${result.stdout.slice(-3000)}`);
  expect(result.outputs.rollout).toBe(rollout);
}

const liveImage = (namespace: string, name: string) =>
  getJson(['get', `deployment/${name}`, '-n', namespace]).spec.template.spec.containers[0].image;

describe('k8s-deploy with: blocks', () => {
  it('stages: deploy with images pins that image', async () => {
    const namespace = namespaces.create('images');
    const result = await step(workspace(), {
      stages: 'deploy',
      namespace,
      manifests: MANIFESTS,
      images: IMAGE_A,
    });
    expectRollout(result, 'succeeded');
    expect(liveImage(namespace, 'web')).toBe(IMAGE_A);
    expect(pods(namespace, 'app=web')).toEqual(Array(4).fill({ image: IMAGE_A, ready: true }));
  });

  it('README: basic deployment, then a canary without service mesh, promoted', async () => {
    const namespace = namespaces.create('readme');
    const cwd = workspace();
    const common = {
      namespace,
      manifests: MANIFESTS,
      imagepullsecrets: 'image-pull-secret1\nimage-pull-secret2\n',
    };

    // "Basic deployment (without any deployment strategy)", pasted as is.
    const basic = await step(cwd, { ...common, images: TAG_1 });
    expectRollout(basic, 'succeeded');
    const live = getJson(['get', 'deployment/web', '-n', namespace]);
    expect(live.spec.template.spec.containers[0].image).toBe(TAG_1);
    expect(live.spec.template.spec.imagePullSecrets).toEqual([
      { name: 'image-pull-secret1' },
      { name: 'image-pull-secret2' },
    ]);

    // "Canary deployment without service mesh".
    const canary = await step(cwd, {
      ...common,
      images: TAG_2,
      strategy: 'canary',
      action: 'deploy',
      percentage: '20',
    });
    expectRollout(canary, 'canary-ready');
    expect(liveImage(namespace, 'web-canary')).toBe(TAG_2);
    expect(liveImage(namespace, 'web')).toBe(TAG_1);
    expect(pods(namespace, 'app=web').filter((p) => p.ready && p.image === TAG_2)).toHaveLength(1);

    // "To promote/reject the canary created by the above snippet".
    const promote = await step(cwd, {
      ...common,
      images: TAG_2,
      strategy: 'canary',
      action: 'promote',
    });
    expectRollout(promote, 'promoted');
    expect(liveImage(namespace, 'web')).toBe(TAG_2);
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(pods(namespace, 'app=web')).toEqual(Array(4).fill({ image: TAG_2, ready: true }));
  });

  it('skip-tls-verify, annotate-namespace and timeout work as in k8s-deploy', async () => {
    const namespace = namespaces.create('flags');
    const result = await step(workspace(), {
      namespace,
      manifests: MANIFESTS,
      images: TAG_1,
      'skip-tls-verify': 'true',
      'annotate-namespace': 'true',
      timeout: '2',
    });
    expectRollout(result, 'succeeded');
    // kubectl gets the flag; the requests Gantry sends itself skip the check too; the rollout
    // waits k8s-deploy's timeout (minutes).
    expect(result.stdout).toMatch(/::debug::kubectl --insecure-skip-tls-verify apply /);
    expect(result.stdout).toMatch(
      /::debug::API server asked directly: \S+ \(insecure-skip-tls-verify: its certificate is not checked\)/,
    );
    expect(result.stdout).toMatch(/::debug::API rollout status deployment\/web, timeout 120 s/);
    expect(getJson(['get', `namespace/${namespace}`]).metadata.annotations).toMatchObject({
      'gantry.dev/repository': 'acme/app',
      'gantry.dev/commit': '860c1904a1ce19322e91ac35af1ab07466440c37',
    });
  });

  it('SMI canary: traffic-split-annotations go on the TrafficSplit', async () => {
    ensureRoutingCrds();
    const namespace = namespaces.create('smi');
    const cwd = workspace();
    expectRollout(await step(cwd, { namespace, manifests: MANIFESTS, images: TAG_1 }), 'succeeded');
    const canary = await step(cwd, {
      namespace,
      manifests: MANIFESTS,
      images: TAG_2,
      strategy: 'canary',
      action: 'deploy',
      'traffic-split-method': 'smi',
      percentage: '20',
      'baseline-and-canary-replicas': '1',
      'traffic-split-annotations': 'example.com/owner=team-a',
    });
    expectRollout(canary, 'canary-ready');
    expect(getJson(['get', 'deployment/web-canary', '-n', namespace]).spec.replicas).toBe(1);
    const split = getJson([
      'get',
      'trafficsplits.split.smi-spec.io/web-canary-split',
      '-n',
      namespace,
    ]);
    expect(split.metadata.annotations).toMatchObject({ 'example.com/owner': 'team-a' });
    expect(split.spec.backends).toEqual([
      { service: 'web', weight: 80 },
      { service: 'web-canary', weight: 20 },
    ]);
  });

  it('an AKS private-cluster block fails before anything is applied, naming what to do', async () => {
    const namespace = namespaces.create('private');
    const result = await step(workspace(), {
      namespace,
      'resource-group': 'yourResourceGroup',
      name: 'yourClusterName',
      action: 'deploy',
      strategy: 'basic',
      'private-cluster': 'true',
      manifests: MANIFESTS,
      images: TAG_1,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(/Input "private-cluster".*azure\/aks-set-context/);
    expect(exists(namespace, 'deployment/web')).toBe(false);
  });
});

describe('canaries started by Azure/k8s-deploy', () => {
  /**
   * The cluster as k8s-deploy leaves it after a basic deploy of IMAGE_A and then
   * `strategy: canary`, `percentage: 20`, `images: IMAGE_B`: web (4 pods), web-canary and
   * web-baseline (1 pod each), all behind Service web.
   */
  function startedByK8sDeploy(name: string): string {
    const namespace = namespaces.create(name);
    const stable = deployment();
    stable.spec.template.spec.containers[0].image = IMAGE_A;
    const apply = (objects: object[]) =>
      kubectlOk(
        ['apply', '-n', namespace, '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
      );
    apply([k8sDeployMarks(stable), k8sDeployMarks(service())]);
    kubectlOk(['rollout', 'status', 'deployment/web', '-n', namespace, '--timeout=120s']);

    const manifest = deployment();
    manifest.spec.template.spec.containers[0].image = IMAGE_B;
    const live = getJson(['get', 'deployment/web', '-n', namespace]);
    const { canary, baseline } = k8sDeployCanary(manifest, live, 20);
    apply([canary, baseline]);
    for (const name of ['web-canary', 'web-baseline'])
      kubectlOk(['rollout', 'status', `deployment/${name}`, '-n', namespace, '--timeout=120s']);
    expect(pods(namespace, 'workflow/version=canary')).toEqual([{ image: IMAGE_B, ready: true }]);
    expect(pods(namespace, 'workflow/version=baseline')).toEqual([{ image: IMAGE_A, ready: true }]);
    return namespace;
  }

  const pasted = (namespace: string, action: string) => ({
    namespace,
    images: IMAGE_B,
    manifests: MANIFESTS,
    strategy: 'canary',
    action,
  });

  it('promote: stable runs the canary version, canary and baseline are gone', async () => {
    const namespace = startedByK8sDeploy('promote');
    const result = await step(workspace(), pasted(namespace, 'promote'));
    expectRollout(result, 'promoted');
    expect(result.summary).toContain('started by Azure/k8s-deploy, taken over by Gantry');
    expect(liveImage(namespace, 'web')).toBe(IMAGE_B);
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(exists(namespace, 'deployment/web-baseline')).toBe(false);
    expect(pods(namespace, 'app=web')).toEqual(Array(4).fill({ image: IMAGE_B, ready: true }));
    expect(await settledEndpointCount(namespace, 'web', 4)).toBe(4);
  });

  it('reject: stable keeps its version untouched, canary and baseline are gone', async () => {
    const namespace = startedByK8sDeploy('reject');
    const generation = getJson(['get', 'deployment/web', '-n', namespace]).metadata.generation;
    const result = await step(workspace(), pasted(namespace, 'reject'));
    expectRollout(result, 'rejected');
    expect(result.summary).toContain('Rejected the canary of web.');
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(exists(namespace, 'deployment/web-baseline')).toBe(false);
    const live = getJson(['get', 'deployment/web', '-n', namespace]);
    expect(live.spec.template.spec.containers[0].image).toBe(IMAGE_A);
    expect(live.metadata.generation).toBe(generation);
    expect(pods(namespace, 'app=web')).toEqual(Array(4).fill({ image: IMAGE_A, ready: true }));
    expect(await settledEndpointCount(namespace, 'web', 4)).toBe(4);
  });
});
