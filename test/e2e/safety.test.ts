// The deploy stage under bad luck, against the testbed's real Kubernetes API server: API
// outages made by a TCP proxy between Gantry's kubectl and the server, the job cancelled the
// way the runner does it (SIGINT, SIGTERM 7.5 s later, a kill 2.5 s after that) with the post
// step as backstop, two runs racing, manifests reaching beyond their namespace, and a JSON
// kubeconfig. Every test has its own namespace and image repository.
import { spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { GitHubApiStub } from '../harness/github-api';
import { DIST_DIR, runAction, type ActionResult } from '../harness/runner';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy';
import { testbedEnv } from '../harness/testbed';

jest.setTimeout(10 * 60_000);

const env = testbedEnv();
const NEVER_READY_MARKER = env.TESTBED_NEVER_READY_IMAGE_MARKER || 'never-ready';
const REPOSITORY = '127.0.0.1:5000/acme/safety';
const digest = (fill: string) => `${REPOSITORY}@sha256:${fill.repeat(64)}`;
const IMAGE_A = digest('a');
const IMAGE_B = digest('b');
const NEVER_READY = `${REPOSITORY}:${NEVER_READY_MARKER}`;
const POST_ENTRY = path.join(DIST_DIR, 'post', 'index.js');

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl JSON */
function kubectl(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function getJson(args: string[]): any {
  const result = kubectl([...args, '-o', 'json']);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function image(namespace: string, ref = 'deployment/web'): string {
  return getJson(['get', ref, '-n', namespace]).spec.template.spec.containers[0].image;
}

function exists(namespace: string, ref: string): boolean {
  return (
    kubectl(['get', ref, '-n', namespace, '--ignore-not-found', '-o', 'name']).stdout.trim() !== ''
  );
}

function readyPods(namespace: string, selector: string): string[] {
  return getJson(['get', 'pods', '-n', namespace, '-l', selector])
    .items.filter(
      (pod: any) =>
        !pod.metadata.deletionTimestamp &&
        (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((pod: any) => pod.spec.containers[0].image);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const namespaces: string[] = [];
let counter = 0;

function newNamespace(name: string): string {
  const namespace = `gantry-safety-${name}-${process.pid}-${++counter}`.slice(0, 63);
  const created = kubectl(['create', 'namespace', namespace]);
  if (created.status !== 0) throw new Error(created.stderr);
  namespaces.push(namespace);
  return namespace;
}

afterAll(() => {
  if (namespaces.length > 0) kubectl(['delete', 'namespace', ...namespaces, '--wait=false']);
});

/** A workspace with Deployment `web` (and Service `web`), plus extra documents. */
function workspace(options: { replicas?: number; extra?: object[] } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-safety-'));
  fs.mkdirSync(path.join(dir, 'k8s'));
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: `${REPOSITORY}:latest` }] },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  };
  const docs = [...(options.extra ?? []), deployment, service];
  fs.writeFileSync(path.join(dir, 'k8s', 'app.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  return dir;
}

interface DeployOptions {
  env?: Record<string, string | undefined>;
  api?: GitHubApiStub;
  onSpawn?: (child: ChildProcess) => void;
  entry?: string;
}

function deploy(
  cwd: string,
  namespace: string,
  inputs: Record<string, string>,
  options: DeployOptions = {},
): Promise<ActionResult> {
  return runAction({
    inputs: { stages: 'deploy', manifests: 'k8s', namespace, 'rollout-timeout': '20s', ...inputs },
    event: 'push-branch-main',
    env: { ...env, ...options.env },
    api: options.api,
    cwd,
    onSpawn: options.onSpawn,
    entry: options.entry,
  });
}

function expectSuccess(result: ActionResult, rollout: string): void {
  if (result.exitCode !== 0)
    throw new Error(`action failed:\n${result.errors.join('\n')}\n${result.stdout.slice(-3000)}`);
  expect(result.outputs.rollout).toBe(rollout);
}

/** Calls `then` once the process has printed a line matching `pattern`. */
function whenPrinted(child: ChildProcess, pattern: RegExp, then: () => void): void {
  let seen = '';
  let done = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!done && pattern.test(seen)) {
      done = true;
      then();
    }
  });
}

/**
 * Cancels like the runner: `first` (SIGINT), SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
 * Records which of them the process lived to receive.
 */
function cancelLikeRunner(child: ChildProcess, sent: string[], first: NodeJS.Signals = 'SIGINT') {
  const alive = () => child.exitCode === null && child.signalCode === null;
  child.kill(first);
  sent.push(first);
  const send = (signal: NodeJS.Signals) => {
    if (!alive()) return;
    child.kill(signal);
    sent.push(signal);
  };
  const term = setTimeout(() => send('SIGTERM'), 7500);
  const kill = setTimeout(() => send('SIGKILL'), 10_000);
  child.on('close', () => (clearTimeout(term), clearTimeout(kill)));
}

/** A kubeconfig like the testbed's whose server is the proxy (TLS name checked as before). */
function kubeconfigThrough(proxy: TcpProxy): string {
  const config = parse(fs.readFileSync(env.KUBECONFIG, 'utf8'));
  for (const entry of config.clusters) {
    const server = new URL(entry.cluster.server);
    entry.cluster['tls-server-name'] = entry.cluster['tls-server-name'] ?? server.hostname;
    entry.cluster.server = `https://127.0.0.1:${proxy.port}`;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-proxy-')), 'config');
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

function apiServer(): { host: string; port: number } {
  const config = parse(fs.readFileSync(env.KUBECONFIG, 'utf8'));
  const server = new URL(config.clusters[0].cluster.server);
  return { host: server.hostname, port: Number(server.port || 443) };
}

describe('API outages (item 3)', () => {
  let proxy: TcpProxy;
  let through: string;
  beforeEach(async () => {
    proxy = await startTcpProxy(apiServer());
    through = kubeconfigThrough(proxy);
  });
  afterEach(() => proxy.stop());

  it('does not roll back a healthy release when the API is unreachable as the timeout ends', async () => {
    const namespace = newNamespace('outage');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    // From the apply on, the API is gone until 1 s after the rollout timeout: the rollout
    // itself completes in the cluster meanwhile.
    const result = await deploy(
      cwd,
      namespace,
      { 'deploy-images': IMAGE_B, 'rollout-timeout': '10s' },
      {
        env: { KUBECONFIG: through },
        onSpawn: (child) =>
          whenPrinted(child, /applied deployment\/web/, () => {
            proxy.down();
            setTimeout(() => proxy.up(), 11_000);
          }),
      },
    );
    expectSuccess(result, 'succeeded');
    expect(result.stdout).toMatch(/the API server did not answer .*; retrying/);
    expect(result.stdout).not.toMatch(/rolling back/);
    expect(image(namespace)).toBe(IMAGE_B);
    expect(readyPods(namespace, 'app=web')).toEqual([IMAGE_B, IMAGE_B]);
  });

  it('fails without undoing, saying what was last seen, when the API stays unreachable', async () => {
    const namespace = newNamespace('gone');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    const result = await deploy(
      cwd,
      namespace,
      { 'deploy-images': IMAGE_B, 'rollout-timeout': '8s' },
      {
        env: { KUBECONFIG: through },
        onSpawn: (child) => whenPrinted(child, /applied deployment\/web/, () => proxy.down()),
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs.rollout).toBe('unverified');
    const error = result.errors.join('\n');
    expect(error).toMatch(
      /Cannot tell whether the rollout succeeded: the Kubernetes API server could not be reached when the rollout timeout ended \(.+\)\. Nothing was rolled back\./,
    );
    expect(error).toContain(
      `deployment/web was last seen with ${IMAGE_B} applied by this run (generation 2; the previous version is revision 1)`,
    );
    expect(JSON.parse(result.outputs.deployed)).toEqual([
      { kind: 'Deployment', name: 'web', namespace, image: IMAGE_B },
    ]);
    expect(result.summary).toContain('**Rollout:** unverified');
    // Nobody rolled the healthy release back.
    expect(image(namespace)).toBe(IMAGE_B);
  });
});

describe('cancellation (item 2)', () => {
  async function withDeploymentsApi<T>(fn: (api: GitHubApiStub) => Promise<T>): Promise<T> {
    const api = await GitHubApiStub.start();
    api.route('POST', '/repos/:owner/:repo/deployments', () => ({ status: 201, body: { id: 31 } }));
    api.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => ({
      status: 201,
      body: { id: 1, state: req.body.state },
    }));
    try {
      return await fn(api);
    } finally {
      await api.stop();
    }
  }

  it('SIGINT mid-rollout: rolls back within the grace period, marks the deployment, says so', async () => {
    const namespace = newNamespace('sigint');
    const cwd = workspace({ replicas: 3 });
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    const sent: string[] = [];
    await withDeploymentsApi(async (api) => {
      const result = await deploy(
        cwd,
        namespace,
        { 'deploy-images': NEVER_READY, 'rollout-timeout': '5m', environment: 'production' },
        {
          api,
          onSpawn: (child) =>
            whenPrinted(child, /applied deployment\/web/, () =>
              setTimeout(() => cancelLikeRunner(child, sent), 1500),
            ),
        },
      );
      // It ended by itself, before the runner's kill.
      expect(sent).not.toContain('SIGKILL');
      expect(result.exitCode).toBe(1);
      expect(result.outputs.rollout).toBe('cancelled');
      expect(result.errors.join('\n')).toMatch(
        /Cancelled \(SIGINT\) while waiting for the rollout: rolled back deployment\/web/,
      );
      expect(result.summary).toContain('**Rollout:** cancelled');
      expect(JSON.parse(result.outputs.deployed)).toEqual([
        { kind: 'Deployment', name: 'web', namespace, image: IMAGE_A },
      ]);
      const states = api
        .calls('POST', '/repos/:owner/:repo/deployments/:id/statuses')
        .map((r) => [r.body.state, r.body.description]);
      expect(states).toEqual([
        ['in_progress', 'Gantry rolling deploy'],
        ['failure', "Cancelled (SIGINT): this run's changes were undone"],
      ]);
      expect(JSON.parse(result.state['gantry-deploy']).phase).toBe('done');
    });
    expect(image(namespace)).toBe(IMAGE_A);
    // The lease was given back: the next run goes ahead at once.
    expectSuccess(
      await deploy(cwd, namespace, { 'deploy-images': IMAGE_B, 'lease-wait': '0' }),
      'succeeded',
    );
  });

  it('SIGTERM while a canary starts: removes the canary, stable untouched', async () => {
    const namespace = newNamespace('sigterm');
    const cwd = workspace({ replicas: 4 });
    const canary = { strategy: 'canary', 'rollout-timeout': '5m' };
    expectSuccess(
      await deploy(cwd, namespace, { ...canary, 'deploy-images': IMAGE_A }),
      'succeeded',
    );
    const sent: string[] = [];
    const result = await deploy(
      cwd,
      namespace,
      { ...canary, 'deploy-images': NEVER_READY },
      {
        onSpawn: (child) =>
          whenPrinted(child, /applied deployment\/web-canary/, () =>
            setTimeout(() => cancelLikeRunner(child, sent, 'SIGTERM'), 1000),
          ),
      },
    );
    expect(sent).not.toContain('SIGKILL');
    expect(result.outputs.rollout).toBe('cancelled');
    expect(result.errors.join('\n')).toMatch(
      /Cancelled \(SIGTERM\) while waiting for the canary: removed it/,
    );
    expect(exists(namespace, 'deployment/web-canary')).toBe(false);
    expect(image(namespace)).toBe(IMAGE_A);
    expect(getJson(['get', 'deployment/web', '-n', namespace]).metadata.generation).toBe(1);
  });

  it('the post step undoes a deploy whose main step was killed', async () => {
    const namespace = newNamespace('post');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    const killed = await deploy(
      cwd,
      namespace,
      { 'deploy-images': NEVER_READY, 'rollout-timeout': '5m' },
      {
        onSpawn: (child) =>
          whenPrinted(child, /applied deployment\/web/, () =>
            setTimeout(() => child.kill('SIGKILL'), 1000),
          ),
      },
    );
    expect(killed.exitCode).toBe(128);
    expect(image(namespace)).toBe(NEVER_READY);
    const state = killed.state['gantry-deploy'];
    expect(JSON.parse(state).phase).toBe('applying');

    // The runner gives the post step the main step's state as STATE_<name>.
    const post = await deploy(
      cwd,
      namespace,
      { 'deploy-images': NEVER_READY },
      { entry: POST_ENTRY, env: { 'STATE_gantry-deploy': state } },
    );
    expect(post.exitCode).toBe(0);
    expect(post.warnings.join('\n')).toMatch(/The deploy step did not finish/);
    expect(post.summary).toContain('deployment/web: rolled back to revision 1');
    expect(image(namespace)).toBe(IMAGE_A);
    const lease = getJson(['get', 'lease/gantry-deployment-web', '-n', namespace]);
    expect(lease.spec.holderIdentity ?? '').toBe('');

    // After a finished main step, the post step leaves everything alone.
    const done = await deploy(
      cwd,
      namespace,
      {},
      {
        entry: POST_ENTRY,
        env: { 'STATE_gantry-deploy': JSON.stringify({ ...JSON.parse(state), phase: 'done' }) },
      },
    );
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toMatch(/the main step finished; nothing to undo/);
    expect(image(namespace)).toBe(IMAGE_A);
  });
});

describe('concurrent runs (item 4)', () => {
  it('a second run waits for the first instead of being reverted by it', async () => {
    const namespace = newNamespace('race');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');

    const run = (id: string) => ({
      GITHUB_RUN_ID: id,
    });
    // X: never ready, times out and rolls back. Y: healthy, starts 5 s later.
    const x = deploy(
      cwd,
      namespace,
      { 'deploy-images': NEVER_READY, 'rollout-timeout': '12s' },
      { env: run('1001') },
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const y = deploy(cwd, namespace, { 'deploy-images': IMAGE_B }, { env: run('1002') });
    const [rx, ry] = await Promise.all([x, y]);

    expect(rx.exitCode).toBe(1);
    expect(rx.outputs.rollout).toBe('rolled-back');
    expectSuccess(ry, 'succeeded');
    expect(ry.stdout).toMatch(
      new RegExp(
        `deployment/web in ${namespace} is being deployed by run https://github.com/acme/app/actions/runs/1001 .*; waiting up to 600 s`,
      ),
    );
    // Y's release is what runs, as Y says.
    expect(JSON.parse(ry.outputs.deployed)[0].image).toBe(IMAGE_B);
    expect(image(namespace)).toBe(IMAGE_B);
    expect(readyPods(namespace, 'app=web')).toEqual([IMAGE_B, IMAGE_B]);
  });

  it('fails clearly, applying nothing, when another run holds the lease and lease-wait is 0', async () => {
    const namespace = newNamespace('held');
    const cwd = workspace();
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': IMAGE_A }), 'succeeded');
    const lease = getJson(['get', 'lease/gantry-deployment-web', '-n', namespace]);
    lease.spec = {
      ...lease.spec,
      holderIdentity: 'acme/app run 77 attempt 1 job ship (elsewhere pid 1)',
      leaseDurationSeconds: 600,
      acquireTime: new Date().toISOString().replace('Z', '000Z'),
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    };
    lease.metadata.annotations['gantry.dev/run-url'] =
      'https://github.com/acme/app/actions/runs/77';
    const file = path.join(cwd, 'lease.json');
    fs.writeFileSync(file, JSON.stringify(lease));
    expect(kubectl(['replace', '-f', file]).status).toBe(0);

    const result = await deploy(cwd, namespace, { 'deploy-images': IMAGE_B, 'lease-wait': '0' });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /Another deploy of the same workloads is still running after waiting 0 s \(input lease-wait\); nothing was applied:\ndeployment\/web is being deployed by run https:\/\/github.com\/acme\/app\/actions\/runs\/77/,
    );
    expect(image(namespace)).toBe(IMAGE_A);
  });
});

describe('manifests scope (item 7)', () => {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' }, data: {} };

  it.each([
    [
      'a Namespace and a ClusterRole',
      [
        configMap,
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gantry-safety-evil' } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'gantry-safety-evil' },
          rules: [],
        },
      ],
      /Input "manifests": cluster-scoped objects reach beyond a namespace and are applied only with allow-cluster-scoped: true:\nk8s\/app\.yaml:\d+: Namespace\/gantry-safety-evil\nk8s\/app\.yaml:\d+: ClusterRole\/gantry-safety-evil/,
    ],
    [
      'an object naming another namespace',
      [configMap, { ...configMap, metadata: { name: 'second', namespace: 'default' } }],
      /Input "manifests": objects must be in namespace "\S+" \(input namespace\) or name none:\nk8s\/app\.yaml:\d+: ConfigMap\/second names namespace "default"/,
    ],
    [
      'an object only the server refuses (dry run)',
      [
        configMap,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'bad-port' },
          spec: { ports: [{ port: 99999 }] },
        },
      ],
      /refused the manifests in a dry run \(kubectl apply --dry-run=server\); nothing was applied:\n[^]*bad-port[^]*99999/,
    ],
  ] as [string, object[], RegExp][])(
    '%s: refused before anything is applied',
    async (_name, extra, message) => {
      const namespace = newNamespace('scope');
      const cwd = workspace({ extra });
      const result = await deploy(cwd, namespace, { 'deploy-images': IMAGE_A });
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toMatch(message);
      expect(exists(namespace, 'configmap/first')).toBe(false);
      expect(exists(namespace, 'deployment/web')).toBe(false);
      expect(
        kubectl(['get', 'namespace', 'gantry-safety-evil', '--ignore-not-found', '-o', 'name'])
          .stdout,
      ).toBe('');
      expect(
        kubectl(['get', 'clusterrole', 'gantry-safety-evil', '--ignore-not-found', '-o', 'name'])
          .stdout,
      ).toBe('');
    },
  );

  it('10,000 Deployments: a clear ::error, no crash', async () => {
    const namespace = newNamespace('many');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-safety-many-'));
    fs.mkdirSync(path.join(cwd, 'k8s'));
    const docs = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `d${i}` },
        spec: {
          selector: { matchLabels: { app: `d${i}` } },
          template: {
            metadata: { labels: { app: `d${i}` } },
            spec: { containers: [{ name: 'app', image: IMAGE_A }] },
          },
        },
      }),
    );
    fs.writeFileSync(path.join(cwd, 'k8s', 'many.yaml'), docs.join('\n---\n'));
    const result = await deploy(cwd, namespace, {});
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'Input "manifests": 10000 objects are more than one run applies (at most 1000); split them over several deploy steps',
    ]);
    expect(result.stdout + result.stderr).not.toMatch(/E2BIG|\n\s+at /);
  });
});

describe('JSON kubeconfig (item 10)', () => {
  it('masks every credential of a JSON kubeconfig before anything prints', async () => {
    const namespace = newNamespace('jsonkube');
    const cwd = workspace({ replicas: 1 });
    const config = parse(fs.readFileSync(env.KUBECONFIG, 'utf8'));
    const content = JSON.stringify(config);
    const secrets: string[] = config.users.flatMap((u: { user: Record<string, string> }) =>
      ['client-key-data', 'client-certificate-data', 'token', 'password']
        .map((key) => u.user[key])
        .filter(Boolean),
    );
    expect(secrets.length).toBeGreaterThan(0);
    const result = await deploy(
      cwd,
      namespace,
      { 'deploy-images': IMAGE_A, kubeconfig: content },
      { env: { KUBECONFIG: undefined } },
    );
    expectSuccess(result, 'succeeded');
    for (const secret of secrets) {
      expect(result.masked).toContain(secret);
      // Only the mask command itself carries it (the runner consumes that line).
      const leaks = (result.stdout + result.stderr)
        .split('\n')
        .filter((line) => line.includes(secret.slice(0, 40)));
      expect(leaks).toEqual([`::add-mask::${secret}`]);
    }
  });
});
