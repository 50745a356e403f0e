// meta -> build -> deploy in one step: the deploy stage pins the digest the build stage pushed
// to the testbed registry (no deploy-images input), on the testbed's Kubernetes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runAction } from '../harness/runner';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

jest.setTimeout(10 * 60_000);

const env = testbedEnv();
const kubectl = (args: string[]) =>
  spawnSync('kubectl', args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
const namespace = `gantry-e2e-pipeline-${process.pid}`;

afterAll(() => {
  kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

/** The build fixture with a Deployment of `image` (and any other objects) under k8s/. */
function workspace(image: string, others: object[] = []): string {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-pipeline-'));
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'build'), cwd, { recursive: true });
  fs.mkdirSync(path.join(cwd, 'k8s'));
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'greeter' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'greeter' } },
      template: {
        metadata: { labels: { app: 'greeter' } },
        spec: { containers: [{ name: 'greeter', image: `${image}:latest` }] },
      },
    },
  };
  fs.writeFileSync(
    path.join(cwd, 'k8s', 'greeter.yaml'),
    [deployment, ...others].map((object) => stringify(object)).join('---\n'),
  );
  return cwd;
}

const pipeline = (image: string, cwd: string, into = namespace) =>
  runAction({
    inputs: {
      stages: 'meta,build,deploy',
      images: image,
      tags: 'type=semver,pattern={{version}}',
      push: 'true',
      manifests: 'k8s',
      namespace: into,
      'rollout-timeout': '60s',
    },
    event: 'push-tag',
    env,
    cwd,
    timeoutMs: 8 * 60_000,
  });

it('deploys the image the build stage pushed, pinned by digest', async () => {
  expect(kubectl(['create', 'namespace', namespace]).status).toBe(0);
  const image = `${env.REGISTRY}/e2e/greeter-deploy-${process.pid}`;
  const result = await pipeline(image, workspace(image));
  if (result.exitCode !== 0) {
    throw new Error(
      `the action failed: ${result.errors.join('; ')}\n${result.stdout.slice(-4000)}`,
    );
  }
  const pinned = result.outputs.image;
  expect(pinned).toMatch(new RegExp(`^${image.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
  expect(result.outputs.rollout).toBe('succeeded');
  expect(JSON.parse(result.outputs.deployed)).toEqual([
    { kind: 'Deployment', name: 'greeter', namespace, image: pinned },
  ]);
  const live = JSON.parse(
    kubectl(['get', 'deployment/greeter', '-n', namespace, '-o', 'json']).stdout,
  );
  expect(live.spec.template.spec.containers[0].image).toBe(pinned);
  expect(live.status.readyReplicas).toBe(2);
  // The client-side apply was computed while the build ran, with a stand-in for the digest,
  // and the server checked the pinned writes once the digest was known.
  expect(result.stdout).toContain('server dry run: computed while the build ran');
  expect(result.stdout).toContain('kubectl: 1 invocation(s)');
});

// The dry run started after the build refuses the batch: the deploy asks the server again
// (a failure then might have been an outage) and, refused again, applies nothing.
it('applies nothing when the server refuses the pinned batch in its dry run', async () => {
  const image = `${env.REGISTRY}/e2e/greeter-refused-${process.pid}`;
  const refusedNamespace = `${namespace}-refused`;
  expect(kubectl(['create', 'namespace', refusedNamespace]).status).toBe(0);
  try {
    const badService = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad-port' },
      spec: { selector: { app: 'greeter' }, ports: [{ port: 99999 }] },
    };
    const result = await pipeline(image, workspace(image, [badService]), refusedNamespace);
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /refused the manifests in a dry run \(kubectl apply --dry-run=server\); nothing was applied:\n[^]*bad-port[^]*99999/,
    );
    const names = kubectl(['get', 'deployment,service', '-n', refusedNamespace, '-o', 'name']);
    expect(names.stdout).toBe('');
  } finally {
    kubectl(['delete', 'namespace', refusedNamespace, '--wait=false']);
  }
});
