// The deploy stage through the runner-like harness against the testbed's real Kubernetes API
// server (kwok nodes): rolling deploys with automatic rollback, the canary lifecycle, every
// traffic split, GitHub deployment statuses and bad inputs. Each test has its own namespace.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify } from 'yaml';
import { GitHubApiStub } from '../harness/github-api';
import {
  ensureRoutingCrds,
  exists,
  getJson,
  kubectl,
  kubectlOk,
  pods,
  settledEndpointCount,
  TestNamespaces,
} from '../harness/kube';
import { runAction, type ActionResult } from '../harness/runner';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

jest.setTimeout(10 * 60_000);

const env = testbedEnv();
const NEVER_READY_MARKER = env.TESTBED_NEVER_READY_IMAGE_MARKER || 'never-ready';
const REPOSITORY = '127.0.0.1:5000/acme/app';
const digest = (fill: string) => `${REPOSITORY}@sha256:${fill.repeat(64)}`;
const IMAGE_A = digest('a');
const IMAGE_B = digest('b');
const IMAGE_C = digest('c');
const IMAGE_D = digest('d');
const NEVER_READY = `${REPOSITORY}:${NEVER_READY_MARKER}`;

const testNamespaces = new TestNamespaces('gantry-e2e');
const newNamespace = (name: string) => testNamespaces.create(name);
afterAll(() => testNamespaces.deleteAll());

/** A workspace with the sample service: Deployment `web` + Service `web`, and optional routing. */
function workspace(
  options: { replicas?: number; routing?: ('ingress' | 'httproute')[] } = {},
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-deploy-'));
  fs.mkdirSync(path.join(dir, 'k8s', 'routing'), { recursive: true });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: options.replicas ?? 4,
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
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
  fs.writeFileSync(
    path.join(dir, 'k8s', 'app.yaml'),
    `${stringify(deployment)}---\n${stringify(service)}`,
  );
  for (const file of options.routing ?? []) {
    const source = path.join(REPO_ROOT, 'test', 'fixtures', 'deploy', 'routing', `${file}.yaml`);
    fs.copyFileSync(source, path.join(dir, 'k8s', 'routing', `${file}.yaml`));
  }
  return dir;
}

function deploy(
  cwd: string,
  namespace: string,
  inputs: Record<string, string>,
  options: { api?: GitHubApiStub; env?: Record<string, string | undefined> } = {},
): Promise<ActionResult> {
  return runAction({
    inputs: { stages: 'deploy', manifests: 'k8s', namespace, 'rollout-timeout': '20s', ...inputs },
    event: 'push-branch-main',
    env: { ...env, ...options.env },
    api: options.api,
    cwd,
  });
}

function expectSuccess(result: ActionResult, rollout: string): void {
  if (result.exitCode !== 0)
    throw new Error(`action failed:\n${result.errors.join('\n')}\n${result.stdout.slice(-3000)}`);
  expect(result.outputs.rollout).toBe(rollout);
}

function deploymentImage(namespace: string, name: string): string {
  return getJson(['get', `deployment/${name}`, '-n', namespace]).spec.template.spec.containers[0]
    .image;
}

describe('rolling deploy', () => {
  it('deploys, pins the image, annotates, and updates', async () => {
    const namespace = newNamespace('rolling');
    const cwd = workspace();
    const first = await deploy(cwd, namespace, { 'deploy-images': IMAGE_A });
    expectSuccess(first, 'succeeded');
    expect(JSON.parse(first.outputs.deployed)).toEqual([
      { kind: 'Deployment', name: 'web', namespace, image: IMAGE_A },
    ]);
    expect(pods(namespace, 'app=web')).toEqual(Array(4).fill({ image: IMAGE_A, ready: true }));
    const live = getJson(['get', 'deployment/web', '-n', namespace]);
    expect(live.metadata.annotations).toMatchObject({
      'gantry.dev/repository': 'acme/app',
      'gantry.dev/commit': '860c1904a1ce19322e91ac35af1ab07466440c37',
      'gantry.dev/run-url': 'https://github.com/acme/app/actions/runs/123456789',
    });
    expect(first.summary).toContain('| Deployment/web | ' + namespace + ' | stable |');

    const second = await deploy(cwd, namespace, { 'deploy-images': IMAGE_B });
    expectSuccess(second, 'succeeded');
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_B);
    const updated = pods(namespace, 'app=web');
    expect(updated.filter((pod) => pod.ready && pod.image === IMAGE_B)).toHaveLength(4);
  });

  it('rolls a broken update back automatically, with diagnostics and a failed GitHub deployment', async () => {
    const namespace = newNamespace('rollback');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    const api = await GitHubApiStub.start();
    try {
      api.route('POST', '/repos/:owner/:repo/deployments', () => ({
        status: 201,
        body: { id: 7001 },
      }));
      api.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => ({
        status: 201,
        body: { id: 1, state: req.body.state },
      }));
      const broken = await deploy(
        cwd,
        namespace,
        { 'deploy-images': NEVER_READY, 'rollout-timeout': '15s', environment: 'staging' },
        { api },
      );

      expect(broken.exitCode).not.toBe(0);
      expect(broken.outputs.rollout).toBe('rolled-back');
      const error = broken.errors.join('\n');
      expect(error).toMatch(/rolled back deployment\/web to the previous version/);
      expect(error).toMatch(
        /pod\/web-\S+ Running, not ready; app 127\.0\.0\.1:5000\/acme\/app:never-ready: running, not ready/,
      );
      expect(error).toMatch(/recent events:/);
      // The previous version serves throughout and after: the template and every ready pod.
      expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
      const ready = pods(namespace, 'app=web').filter((pod) => pod.ready);
      expect(ready).toEqual(Array(4).fill({ image: IMAGE_A, ready: true }));

      const created = api.calls('POST', '/repos/:owner/:repo/deployments');
      expect(created).toHaveLength(1);
      expect(created[0].body).toMatchObject({
        environment: 'staging',
        ref: '860c1904a1ce19322e91ac35af1ab07466440c37',
      });
      const states = api
        .calls('POST', '/repos/:owner/:repo/deployments/:id/statuses')
        .map((r) => [r.params.id, r.body.state]);
      expect(states).toEqual([
        ['7001', 'in_progress'],
        ['7001', 'failure'],
      ]);
    } finally {
      await api.stop();
    }
  });

  it('records a successful GitHub deployment with the run as its log', async () => {
    const namespace = newNamespace('ghdeploy');
    const cwd = workspace({ routing: ['ingress'] });
    const api = await GitHubApiStub.start();
    try {
      api.route('POST', '/repos/:owner/:repo/deployments', () => ({
        status: 201,
        body: { id: 9 },
      }));
      api.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', () => ({
        status: 201,
        body: { id: 1 },
      }));
      expectSuccess(
        await deploy(
          cwd,
          namespace,
          { 'deploy-images': IMAGE_A, environment: 'production' },
          { api },
        ),
        'succeeded',
      );
      const statuses = api
        .calls('POST', '/repos/:owner/:repo/deployments/:id/statuses')
        .map((r) => r.body);
      expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
      expect(statuses[1]).toMatchObject({
        log_url: 'https://github.com/acme/app/actions/runs/123456789',
        environment_url: 'https://web.example.test',
      });
      expect(api.calls('POST', '/repos/:owner/:repo/deployments')[0].headers.authorization).toMatch(
        /ghs_harnessToken/,
      );
    } finally {
      await api.stop();
    }
  });
});

describe('kubeconfig input', () => {
  it('uses kubeconfig content from the input and masks its credentials', async () => {
    const namespace = newNamespace('kubeconfig');
    const cwd = workspace({ replicas: 1 });
    const content = fs.readFileSync(env.KUBECONFIG, 'utf8');
    const result = await deploy(
      cwd,
      namespace,
      { 'deploy-images': IMAGE_A, kubeconfig: content },
      { env: { KUBECONFIG: undefined } },
    );
    expectSuccess(result, 'succeeded');
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
    const keyData = /client-key-data:\s*(\S+)/.exec(content)?.[1];
    expect(keyData).toBeDefined();
    expect(result.masked).toContain(keyData);
    // Only the mask command itself carries it (the runner consumes that line).
    const leaks = result.stdout.split('\n').filter((line) => line.includes(keyData!.slice(0, 40)));
    expect(leaks).toEqual([`::add-mask::${keyData}`]);
  });
});

// kubectl: N invocation(s) and API server: M request(s), the deploy's own closing lines.
function callCounts(result: ActionResult): { kubectl: number; api: number } {
  const kube = /^kubectl: (\d+) invocation\(s\)/m.exec(result.stdout);
  const api = /^API server: (\d+) request\(s\) sent directly/m.exec(result.stdout);
  if (!kube) throw new Error(`no kubectl count line:\n${result.stdout.slice(-2000)}`);
  return { kubectl: Number(kube[1]), api: api ? Number(api[1]) : 0 };
}

/**
 * The objects are stored as kubectl apply would leave them: kubectl diff of each one's
 * last-applied configuration finds nothing to change, kubectl's own dry run of that
 * configuration writes the same annotation byte for byte, and the writes are kubectl's.
 */
function expectAsKubectlLeavesThem(namespace: string, refs: string[]): void {
  for (const ref of refs) {
    const stored = getJson(['get', ref, '-n', namespace, '--show-managed-fields']);
    const config = stored.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    expect(JSON.parse(config).spec).toBeDefined();
    const diff = kubectl(['diff', '-f', '-', '-n', namespace], config);
    expect({ ref, status: diff.status, out: diff.stdout + diff.stderr }).toEqual({
      ref,
      status: 0,
      out: '',
    });
    const again = JSON.parse(
      kubectlOk(['apply', '--dry-run=server', '-o', 'json', '-f', '-', '-n', namespace], config),
    );
    expect({
      ref,
      config: again.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    }).toEqual({ ref, config });
    expect(stored.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'kubectl-client-side-apply', operation: 'Update' }),
    );
  }
}

/** The workspace's manifests with a field the schema lacks in the Deployment's first port. */
function withUnknownPortField(manifests: string): string {
  const port = /^( *)- containerPort: 8080$/m.exec(manifests)!;
  return manifests.replace(port[0], `${port[0]}\n${port[1]}  portName: http`);
}

/** The manifests made valid again deploy IMAGE_B, with this many kubectl processes. */
async function expectFixed(
  manifests: { file: string; valid: string },
  namespace: string,
  deployAgain: () => Promise<ActionResult>,
  kubectlCalls: number,
): Promise<void> {
  fs.writeFileSync(manifests.file, manifests.valid);
  const fixed = await deployAgain();
  expectSuccess(fixed, 'succeeded');
  expect(callCounts(fixed).kubectl).toBe(kubectlCalls);
  expect(deploymentImage(namespace, 'web')).toBe(IMAGE_B);
}

describe('how the deploy reaches the API server', () => {
  it('sends reads, leases and rollout status directly; kubectl applies (client-side) and dry-runs', async () => {
    const namespace = newNamespace('direct');
    const cwd = workspace({ replicas: 2 });
    const first = await deploy(cwd, namespace, { 'deploy-images': IMAGE_A });
    expectSuccess(first, 'succeeded');
    // New objects: kubectl's dry run computes the apply, which is then stored as computed.
    expect(callCounts(first).kubectl).toBe(1);
    const second = await deploy(cwd, namespace, { 'deploy-images': IMAGE_B });
    expectSuccess(second, 'succeeded');
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_B);
    expect(pods(namespace, 'app=web')).toEqual(Array(2).fill({ image: IMAGE_B, ready: true }));
    // Only the image changed since the last apply: no kubectl process, the apply is computed
    // from the objects as they are.
    expect(callCounts(second)).toEqual({ kubectl: 0, api: expect.any(Number) });
    expect(callCounts(second).api).toBeGreaterThan(3);
    expectAsKubectlLeavesThem(namespace, ['deployment/web', 'service/web']);

    // A field changed in the manifest: kubectl merges it.
    const file = path.join(cwd, 'k8s', 'app.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 3'));
    const third = await deploy(cwd, namespace, { 'deploy-images': IMAGE_C });
    expectSuccess(third, 'succeeded');
    expect(callCounts(third).kubectl).toBe(1);
    expect(getJson(['get', 'deployment/web', '-n', namespace]).spec.replicas).toBe(3);
    expectAsKubectlLeavesThem(namespace, ['deployment/web', 'service/web']);
    expect(
      JSON.parse(
        getJson(['get', 'deployment/web', '-n', namespace]).metadata.annotations[
          'kubectl.kubernetes.io/last-applied-configuration'
        ],
      ).spec.template.spec.containers[0].image,
    ).toBe(IMAGE_C);
    // The lease was given back over the API too: nobody holds it.
    const lease = getJson(['get', 'lease/gantry-deployment-web', '-n', namespace]);
    expect(lease.spec.holderIdentity ?? '').toBe('');
  });

  it('applies server-side without kubectl, and a refused field in the dry run applies nothing', async () => {
    const namespace = newNamespace('direct-ssa');
    const cwd = workspace({ replicas: 2 });
    const applied = await deploy(cwd, namespace, {
      'deploy-images': IMAGE_A,
      'server-side': 'true',
    });
    expectSuccess(applied, 'succeeded');
    expect(callCounts(applied).kubectl).toBe(0);
    const live = getJson(['get', 'deployment/web', '-n', namespace, '--show-managed-fields']);
    expect(live.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'gantry', operation: 'Apply' }),
    );
    expect(pods(namespace, 'app=web')).toEqual(Array(2).fill({ image: IMAGE_A, ready: true }));

    // A field the schema lacks: the server refuses it in the dry run, nothing changes.
    const file = path.join(cwd, 'k8s', 'app.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 2\n  bogusField: 1'),
    );
    const refused = await deploy(cwd, namespace, {
      'deploy-images': IMAGE_B,
      'server-side': 'true',
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.errors.join('\n')).toMatch(
      /refused the manifests in a dry run[\s\S]*nothing was applied[\s\S]*bogusField/,
    );
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
  });

  it('refuses a field the schema lacks (kubectl --validate=strict), in an object that exists or a new one, and applies nothing', async () => {
    const namespace = newNamespace('strict-fields');
    const cwd = workspace({ replicas: 1 });
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');
    const file = path.join(cwd, 'k8s', 'app.yaml');
    const valid = fs.readFileSync(file, 'utf8');

    // A misspelt field in the Deployment that exists: the server would drop it silently.
    fs.writeFileSync(file, withUnknownPortField(valid));
    const existing = await deploy(cwd, namespace, { 'deploy-images': IMAGE_B });
    expect(existing.exitCode).not.toBe(0);
    expect(existing.errors.join('\n')).toMatch(
      /refused the manifests in a dry run \(strict field validation[^\n]*; nothing was applied:\nDeployment\/web: [^\n]*strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.ports\[0\]\.portName"/,
    );
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);

    // The same in a ConfigMap the batch would create: nothing is created, the Deployment stays.
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-extra' },
      data: { a: '1' },
      binaryDataa: {},
    };
    fs.writeFileSync(file, `${valid}---\n${stringify(configMap)}`);
    const created = await deploy(cwd, namespace, { 'deploy-images': IMAGE_B });
    expect(created.exitCode).not.toBe(0);
    expect(created.errors.join('\n')).toMatch(
      /refused the manifests in a dry run \(strict field validation[^\n]*; nothing was applied:\nConfigMap\/web-extra: [^\n]*strict decoding error: unknown field "binaryDataa"/,
    );
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
    expect(exists(namespace, 'configmap/web-extra')).toBe(false);

    // Valid again, and only the image changed since the last apply: no kubectl process, the
    // apply is computed here (its patch holds only the image and annotations, nothing a strict
    // check could refuse).
    await expectFixed(
      { file, valid },
      namespace,
      () => deploy(cwd, namespace, { 'deploy-images': IMAGE_B }),
      0,
    );
  });

  it('leaves the fields to kubectl when the credentials may not create, so the strict check cannot tell', async () => {
    const namespace = newNamespace('strict-rbac');
    const cwd = workspace({ replicas: 1 });
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');
    // A deployer that may change what exists, and take its leases, but create nothing else.
    kubectlOk(['create', 'serviceaccount', 'deployer', '-n', namespace]);
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deployer', namespace },
      rules: [
        {
          apiGroups: ['', 'apps'],
          resources: ['deployments', 'services', 'replicasets', 'pods', 'events'],
          verbs: ['get', 'list', 'watch', 'patch', 'update'],
        },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'list', 'create', 'update'],
        },
      ],
    };
    kubectlOk(['apply', '-f', '-'], JSON.stringify(role));
    kubectlOk([
      'create',
      'rolebinding',
      'deployer',
      '--role=deployer',
      `--serviceaccount=${namespace}:deployer`,
      '-n',
      namespace,
    ]);
    const token = kubectlOk(['create', 'token', 'deployer', '-n', namespace]).trim();
    const admin = parseYaml(fs.readFileSync(env.KUBECONFIG, 'utf8'));
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'testbed', cluster: admin.clusters[0].cluster }],
      users: [{ name: 'deployer', user: { token } }],
      contexts: [{ name: 'deployer', context: { cluster: 'testbed', user: 'deployer' } }],
      'current-context': 'deployer',
    });
    const file = path.join(cwd, 'k8s', 'app.yaml');
    const valid = fs.readFileSync(file, 'utf8');
    const asDeployer = (image: string) =>
      deploy(
        cwd,
        namespace,
        { 'deploy-images': image, kubeconfig, 'annotate-namespace': 'false' },
        { env: { KUBECONFIG: undefined, RUNNER_DEBUG: '1' } },
      );

    fs.writeFileSync(file, withUnknownPortField(valid));
    const refused = await asDeployer(IMAGE_B);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).toMatch(
      /dry run: kubectl validates the fields itself \(Deployment\/web: Error from server \(Forbidden\)/,
    );
    expect(refused.errors.join('\n')).toMatch(
      /refused the manifests in a dry run \(kubectl apply --dry-run=server\); nothing was applied:\n[\s\S]*unknown field[\s\S]*portName/,
    );
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);

    // Valid again, and only the image changed: the apply is computed here, as the deployer may
    // read and update; its patch holds no field to check.
    await expectFixed({ file, valid }, namespace, () => asDeployer(IMAGE_B), 0);
  });

  it('leaves every call to kubectl for a kubeconfig with an exec credential plugin', async () => {
    const namespace = newNamespace('exec-plugin');
    const cwd = workspace({ replicas: 1 });
    // The plugin hands out the testbed's own client certificate, as an ExecCredential.
    const admin = fs.readFileSync(env.KUBECONFIG, 'utf8');
    const field = (name: string) =>
      Buffer.from(new RegExp(`${name}:\\s*(\\S+)`).exec(admin)![1], 'base64').toString();
    const plugin = path.join(cwd, 'credential.sh');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: {
        clientCertificateData: field('client-certificate-data'),
        clientKeyData: field('client-key-data'),
      },
    };
    fs.writeFileSync(plugin, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`, {
      mode: 0o700,
    });
    const server = /server:\s*(\S+)/.exec(admin)![1];
    const ca = /certificate-authority-data:\s*(\S+)/.exec(admin)![1];
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'plugin',
      clusters: [{ name: 'testbed', cluster: { server, 'certificate-authority-data': ca } }],
      users: [
        {
          name: 'plugin',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: plugin,
              interactiveMode: 'Never',
            },
          },
        },
      ],
      contexts: [{ name: 'plugin', context: { cluster: 'testbed', user: 'plugin' } }],
    });
    const result = await deploy(
      cwd,
      namespace,
      { 'deploy-images': IMAGE_A, kubeconfig },
      { env: { KUBECONFIG: undefined } },
    );
    expectSuccess(result, 'succeeded');
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
    const counts = callCounts(result);
    expect(counts.api).toBe(0);
    // Read, dry run, lease, apply, rollout status, verify read, lease given back.
    expect(counts.kubectl).toBeGreaterThanOrEqual(6);
  });
});

describe('canary', () => {
  it('deploys a canary beside stable, promotes it, then rejects a second one', async () => {
    const namespace = newNamespace('canary');
    const cwd = workspace({ replicas: 4 });
    const canary = { strategy: 'canary', 'canary-percentage': '20' };

    // No stable version yet: the manifests become stable, and the run says so.
    const first = await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_A });
    expectSuccess(first, 'succeeded');
    expect(first.summary).toContain('No stable version runs yet');
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);

    const started = await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_B });
    expectSuccess(started, 'canary-ready');
    // 1 canary beside 4 stable pods is 20% of the pods behind Service web.
    const live = getJson(['get', 'deployment/web-canary', '-n', namespace]);
    expect(live.spec.replicas).toBe(1);
    expect(live.metadata.labels['gantry.dev/track']).toBe('canary');
    expect(live.spec.selector.matchLabels).toEqual({ app: 'web', 'gantry.dev/track': 'canary' });
    expect(pods(namespace, 'gantry.dev/track=canary')).toEqual([{ image: IMAGE_B, ready: true }]);
    expect(pods(namespace, 'app=web,!gantry.dev/track')).toEqual(
      Array(4).fill({ image: IMAGE_A, ready: true }),
    );
    expect(await settledEndpointCount(namespace, 'web', 5)).toBe(5);

    // Deploying again with a newer image updates the running canary; stable stays.
    const updated = await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_D });
    expectSuccess(updated, 'canary-ready');
    expect(pods(namespace, 'gantry.dev/track=canary').filter((p) => p.ready)).toEqual([
      { image: IMAGE_D, ready: true },
    ]);
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);

    // Promote reads the canary from the cluster (this step names no image).
    const promoted = await deploy(cwd, namespace, { ...canary, 'deploy-action': 'promote' });
    expectSuccess(promoted, 'promoted');
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_D);
    expect(
      pods(namespace, 'app=web,!gantry.dev/track').filter((p) => p.ready && p.image === IMAGE_D),
    ).toHaveLength(4);
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);

    const second = await deploy(cwd, namespace, {
      ...canary,
      'deploy-images': IMAGE_C,
      'canary-baseline': 'true',
    });
    expectSuccess(second, 'canary-ready');
    expect(deploymentImage(namespace, 'web-canary')).toBe(IMAGE_C);
    expect(deploymentImage(namespace, 'web-baseline')).toBe(IMAGE_D);

    const rejected = await deploy(cwd, namespace, { ...canary, 'deploy-action': 'reject' });
    expectSuccess(rejected, 'rejected');
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(exists(namespace, 'deployment/web-baseline')).toBe(false);
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_D);
    expect(getJson(['get', 'deployment/web', '-n', namespace]).metadata.generation).toBe(2);
  });

  it('removes a canary that never becomes ready and leaves stable alone', async () => {
    const namespace = newNamespace('badcanary');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');
    const result = await deploy(cwd, namespace, {
      strategy: 'canary',
      'deploy-images': NEVER_READY,
      'rollout-timeout': '10s',
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.outputs.rollout).toBe('rolled-back');
    expect(result.errors.join('\n')).toMatch(/The canary did not become ready; removed it/);
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
    expect(getJson(['get', 'deployment/web', '-n', namespace]).metadata.generation).toBe(1);
  });

  describe('traffic splits', () => {
    // Gateway API and SMI are CRDs (Ingress is built in); stand-ins only where missing.
    beforeAll(ensureRoutingCrds);

    it.each([
      [
        'ingress-nginx',
        ['ingress'],
        ['service/web-canary', 'ingress/web-canary'],
        (namespace: string) => {
          const ingress = getJson(['get', 'ingress/web-canary', '-n', namespace]);
          expect(ingress.metadata.annotations).toMatchObject({
            'nginx.ingress.kubernetes.io/canary': 'true',
            'nginx.ingress.kubernetes.io/canary-weight': '30',
          });
          expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('web-canary');
        },
      ],
      [
        'gateway-api',
        ['httproute'],
        ['service/web-canary'],
        (namespace: string) => {
          const route = getJson(['get', 'httproute/web', '-n', namespace]);
          // The Gateway API CRD defaults group and kind; the weights are Gantry's.
          expect(route.spec.rules[0].backendRefs).toEqual([
            expect.objectContaining({ name: 'web', port: 80, weight: 70 }),
            expect.objectContaining({ name: 'web-canary', port: 80, weight: 30 }),
          ]);
        },
      ],
      [
        'smi',
        [],
        ['service/web-canary', 'trafficsplit/web-canary-split'],
        (namespace: string) => {
          const split = getJson(['get', 'trafficsplit/web-canary-split', '-n', namespace]);
          expect(split.spec).toEqual({
            service: 'web',
            backends: [
              { service: 'web', weight: 70 },
              { service: 'web-canary', weight: 30 },
            ],
          });
        },
      ],
    ] as [string, ('ingress' | 'httproute')[], string[], (ns: string) => void][])(
      '%s: routing objects created with the canary and removed with it',
      async (split, routing, objects, checkRouting) => {
        const namespace = newNamespace(split.replace(/[^a-z]/g, ''));
        const cwd = workspace({ routing });
        const inputs = { strategy: 'canary', 'traffic-split': split, 'canary-percentage': '30' };
        expectSuccess(
          await deploy(cwd, namespace, { ...inputs, 'deploy-images': IMAGE_A }),
          'succeeded',
        );
        expectSuccess(
          await deploy(cwd, namespace, { ...inputs, 'deploy-images': IMAGE_B }),
          'canary-ready',
        );

        // 30% of 4 stable pods' capacity, rounded up; the canary Service sees only canary pods.
        expect(getJson(['get', 'deployment/web-canary', '-n', namespace]).spec.replicas).toBe(2);
        for (const ref of objects) expect(exists(namespace, ref)).toBe(true);
        checkRouting(namespace);
        expect(await settledEndpointCount(namespace, 'web', 4)).toBe(4);
        expect(await settledEndpointCount(namespace, 'web-canary', 2)).toBe(2);

        expectSuccess(
          await deploy(cwd, namespace, { ...inputs, 'deploy-action': 'reject' }),
          'rejected',
        );
        for (const ref of [...objects, 'deployment/web-canary'])
          expect(exists(namespace, ref)).toBe(false);
        if (split === 'gateway-api') {
          const route = getJson(['get', 'httproute/web', '-n', namespace]);
          // As written, plus the defaults the Gateway API CRD's schema fills in (kind, weight).
          expect(route.spec.rules[0].backendRefs).toEqual([
            expect.objectContaining({ name: 'web', port: 80 }),
          ]);
          expect(route.spec.rules[0].backendRefs[0].weight ?? 1).toBe(1);
        }
        expect(deploymentImage(namespace, 'web')).toBe(IMAGE_A);
      },
    );

    it('replaces a running canary when the traffic split changes', async () => {
      const namespace = newNamespace('resplit');
      const cwd = workspace();
      const canary = { strategy: 'canary', 'canary-percentage': '30' };
      expectSuccess(
        await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_A }),
        'succeeded',
      );
      expectSuccess(
        await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_B }),
        'canary-ready',
      );
      const resplit = await deploy(cwd, namespace, {
        ...canary,
        'traffic-split': 'smi',
        'deploy-images': IMAGE_C,
      });
      expectSuccess(resplit, 'canary-ready');
      expect(resplit.summary).toContain('Replaced deployment/web-canary');
      const live = getJson(['get', 'deployment/web-canary', '-n', namespace]);
      expect(live.metadata.annotations['gantry.dev/traffic-split']).toBe('smi');
      expect(live.spec.template.spec.containers[0].image).toBe(IMAGE_C);
      expect(exists(namespace, 'trafficsplit/web-canary-split')).toBe(true);
      // Promote knows the split from the cluster, not from this step's inputs.
      expectSuccess(
        await deploy(cwd, namespace, { ...canary, 'deploy-action': 'promote' }),
        'promoted',
      );
      expect(exists(namespace, 'trafficsplit/web-canary-split')).toBe(false);
      expect(exists(namespace, 'service/web-canary')).toBe(false);
      expect(deploymentImage(namespace, 'web')).toBe(IMAGE_C);
    });
  });
});

describe('bad input applies nothing', () => {
  const unreachable = path.join(os.tmpdir(), `gantry-unreachable-${process.pid}.kubeconfig`);
  beforeAll(() => {
    fs.writeFileSync(
      unreachable,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } }],
        users: [{ name: 'nobody', user: { token: 'x' } }],
        contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'nobody' } }],
        'current-context': 'nowhere',
      }),
    );
  });

  it.each([
    [
      'missing manifests',
      { manifests: 'nowhere/' },
      {},
      /Input "manifests": nowhere\/: no such file or directory/,
    ],
    [
      'empty manifests',
      { manifests: 'empty' },
      {},
      /Input "manifests": empty hold no Kubernetes objects/,
    ],
    [
      'invalid YAML',
      { manifests: 'broken.yaml' },
      {},
      /Input "manifests": broken\.yaml:4:9: invalid YAML: Nested mappings are not allowed/,
    ],
    [
      'unknown strategy',
      { strategy: 'recreate' },
      {},
      /Input "strategy": "recreate" is not one of rolling, canary/,
    ],
    [
      'unknown traffic split',
      { strategy: 'canary', 'traffic-split': 'istio' },
      {},
      /Input "traffic-split": "istio" is not one of/,
    ],
    [
      'percentage outside 1-99',
      { strategy: 'canary', 'canary-percentage': '150' },
      {},
      /Input "canary-percentage": "150" is not a whole number from 1 to 99/,
    ],
    [
      'promote on rolling',
      { 'deploy-action': 'promote' },
      {},
      /Input "deploy-action": "promote" needs strategy: canary/,
    ],
    [
      'promote with no canary',
      { strategy: 'canary', 'deploy-action': 'promote' },
      {},
      /Cannot promote: no canary runs in namespace \S+ \(looked for web-canary\)/,
    ],
    [
      'an unreachable cluster',
      {},
      { KUBECONFIG: unreachable },
      /Cannot reach the Kubernetes cluster .*nothing was applied/,
    ],
  ] as [string, Record<string, string>, Record<string, string>, RegExp][])(
    '%s',
    async (_name, inputs, extraEnv, message) => {
      const namespace = newNamespace('bad');
      const cwd = workspace();
      fs.mkdirSync(path.join(cwd, 'empty'));
      fs.writeFileSync(path.join(cwd, 'empty', 'nothing.yaml'), '# nothing here yet\n');
      fs.writeFileSync(
        path.join(cwd, 'broken.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\ndata: {}\n',
      );
      const result = await deploy(
        cwd,
        namespace,
        { 'deploy-images': IMAGE_A, ...inputs },
        { env: extraEnv },
      );
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(message);
      const applied = kubectl([
        'get',
        'deployments,services,configmaps',
        '-n',
        namespace,
        '-o',
        'name',
      ]);
      expect(
        applied.stdout.split('\n').filter((line) => line && line !== 'configmap/kube-root-ca.crt'),
      ).toEqual([]);
    },
  );
});
