// The deploy stage on the testbed's REAL node (kubelet + containerd, not kwok): the example
// service (examples/hello-go) built in versions that work, crash or serve errors, deployed
// through the runner-like harness, and real requests from this host counting which version
// answered. Rolling deploys keep serving; a crash is rolled back with the container's last log
// lines; canaries get their share of requests by pod count and through the router.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { runAction, type ActionResult } from '../harness/runner';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

jest.setTimeout(15 * 60_000);

const env = testbedEnv();
const APP = path.join(REPO_ROOT, 'examples', 'hello-go');
const REPOSITORY = `${env.REGISTRY}/e2e-realnode/hello-go`;
const EXAMPLE_IMAGE = '127.0.0.1:5000/demo/hello-go:latest';
/** Counted requests per canary measurement, and how far the share may be from the target. */
const SAMPLE = 500;
const SHARE_TOLERANCE_POINTS = 5;

for (const key of ['REALNODE', 'ROUTER_URL', 'PROMETHEUS_URL', 'TESTBED_SERVICE_CIDR']) {
  if (!env[key]) throw new Error(`.testbed/env has no ${key}: run npm run testbed -- up`);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl JSON */
function kubectl(
  args: string[],
  input?: string,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function getJson(args: string[]): any {
  const result = kubectl([...args, '-o', 'json']);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- images: built once per run, one per behaviour, all from the example's Dockerfile --------

type Variant = 'v1' | 'v2' | 'v3' | 'crash';
const VARIANTS: Record<Variant, { version: string; args: string[] }> = {
  v1: { version: '1.0.0', args: [] },
  v2: { version: '2.0.0', args: [] },
  v3: { version: '3.0.0', args: [] },
  crash: { version: '4.0.0-crash', args: ['FAIL_MODE=crash'] },
};
const images = {} as Record<Variant, string>;

function buildImage(variant: Variant): string {
  const { version, args } = VARIANTS[variant];
  const metadata = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-realnode-')), 'm.json');
  const buildArgs = [
    `BUILDER_IMAGE=${env.TESTBED_IMAGE_GOLANG}`,
    `APP_VERSION=${version}`,
    ...args,
  ];
  const result = spawnSync(
    env.DOCKER || 'docker',
    [
      'buildx',
      'build',
      '--builder',
      env.BUILDX_BUILDER,
      '--progress',
      'plain',
      ...buildArgs.flatMap((arg) => ['--build-arg', arg]),
      '--tag',
      `${REPOSITORY}:${version}-${process.pid}`,
      '--push',
      '--metadata-file',
      metadata,
      APP,
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 5 * 60_000 },
  );
  if (result.status !== 0) throw new Error(`building ${variant}: ${result.stderr.slice(-2000)}`);
  const digest = JSON.parse(fs.readFileSync(metadata, 'utf8'))['containerimage.digest'];
  return `${REPOSITORY}@${digest}`;
}

// ---- namespaces and workspaces ---------------------------------------------------------------

const namespaces: string[] = [];
let counter = 0;

function newNamespace(name: string): string {
  const namespace = `gantry-e2e-real-${name}-${process.pid}-${++counter}`.slice(0, 63);
  const created = kubectl(['create', 'namespace', namespace]);
  if (created.status !== 0) throw new Error(created.stderr);
  namespaces.push(namespace);
  return namespace;
}

afterAll(() => {
  if (namespaces.length > 0) kubectl(['delete', 'namespace', ...namespaces, '--wait=false']);
});

/**
 * A workspace with the example's manifests (k8s/, and gateway/ for the router) naming this
 * run's repository, the route's hostname unique to the namespace.
 */
function workspace(namespace: string, withRoute = false): { cwd: string; host: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-realnode-'));
  const host = `${namespace}.testbed.local`;
  for (const dir of withRoute ? ['k8s', 'gateway'] : ['k8s']) {
    fs.mkdirSync(path.join(cwd, 'k8s', dir), { recursive: true });
    for (const file of fs.readdirSync(path.join(APP, dir))) {
      const text = fs
        .readFileSync(path.join(APP, dir, file), 'utf8')
        .replace(EXAMPLE_IMAGE, `${REPOSITORY}:latest`);
      const docs = parseAllDocuments(text).map((doc) => doc.toJS());
      for (const doc of docs) if (doc?.kind === 'HTTPRoute') doc.spec.hostnames = [host];
      fs.writeFileSync(
        path.join(cwd, 'k8s', dir, file),
        docs.map((d) => stringify(d)).join('---\n'),
      );
    }
  }
  return { cwd, host };
}

function deploy(
  cwd: string,
  namespace: string,
  inputs: Record<string, string>,
): Promise<ActionResult> {
  return runAction({
    inputs: { stages: 'deploy', manifests: 'k8s', namespace, 'rollout-timeout': '90s', ...inputs },
    event: 'push-branch-main',
    env,
    cwd,
    timeoutMs: 5 * 60_000,
  });
}

function expectSuccess(result: ActionResult, rollout: string): void {
  if (result.exitCode !== 0)
    throw new Error(`action failed:\n${result.errors.join('\n')}\n${result.stdout.slice(-3000)}`);
  expect(result.outputs.rollout).toBe(rollout);
}

// ---- requests: only to the testbed's ClusterIPs and the router on 127.0.0.1 ------------------

function inServiceCidr(ip: string): boolean {
  const [base, bits] = env.TESTBED_SERVICE_CIDR.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (toInt(ip) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
}

interface Target {
  url: string;
  host?: string;
}

function serviceTarget(namespace: string, service: string): Target {
  const ip = getJson(['get', 'service', service, '-n', namespace]).spec.clusterIP as string;
  if (!inServiceCidr(ip)) throw new Error(`${ip} is not a testbed ClusterIP`);
  return { url: `http://${ip}/` };
}

function routerTarget(host: string): Target {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(env.ROUTER_URL))
    throw new Error(`ROUTER_URL ${env.ROUTER_URL} is not on 127.0.0.1`);
  return { url: `${env.ROUTER_URL}/`, host };
}

interface Answer {
  status: number;
  version?: string;
  pod?: string;
  error?: string;
}

/** One request on a new connection (so the Service's per-connection balancing applies). */
function request(target: Target): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.get(
      target.url,
      { agent: false, timeout: 3000, headers: target.host ? { host: target.host } : {} },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => {
          try {
            const json = JSON.parse(body);
            resolve({ status: res.statusCode ?? 0, version: json.version, pod: json.pod });
          } catch {
            resolve({ status: res.statusCode ?? 0, error: body.slice(0, 100) });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
  });
}

async function sample(target: Target, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await request(target));
  return answers;
}

function versionShares(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 ? (answer.version ?? '?') : `failed (${answer.status})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Polls (bounded) until `ok` holds for a run of answers, e.g. a route or Service settled. */
async function until(
  target: Target,
  ok: (answers: Answer[]) => boolean,
  what: string,
  runLength = 20,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: Answer[] = [];
  while (Date.now() < deadline) {
    last = await sample(target, runLength);
    if (ok(last)) return;
    await sleep(500);
  }
  throw new Error(
    `${what} not seen within 60 s; last answers: ${JSON.stringify(versionShares(last))}`,
  );
}

/** Requests every 50 ms until stopped (at most 3 minutes' worth), for a rollout's duration. */
function requestLoop(target: Target): { stop: () => Promise<Answer[]> } {
  const answers: Answer[] = [];
  let running = true;
  const done = (async () => {
    const deadline = Date.now() + 3 * 60_000;
    while (running && Date.now() < deadline) {
      answers.push(await request(target));
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return answers;
    },
  };
}

async function prometheusQuery(
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(
    `${env.PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await response.json()) as { data: { result: [] } };
  return body.data.result;
}

function podsOnNodes(namespace: string): string[] {
  return [
    ...new Set(
      getJson(['get', 'pods', '-n', namespace]).items.map(
        (pod: { spec: { nodeName: string } }) => pod.spec.nodeName,
      ),
    ),
  ] as string[];
}

beforeAll(() => {
  for (const variant of Object.keys(VARIANTS) as Variant[]) images[variant] = buildImage(variant);
});

describe('rolling deploys on the real node', () => {
  let namespace = '';
  let cwd = '';
  beforeAll(() => {
    namespace = newNamespace('rolling');
    cwd = workspace(namespace).cwd;
  });

  it('rolls out a new version while the old one keeps serving, with metrics by pod', async () => {
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': images.v1 }), 'succeeded');
    expect(podsOnNodes(namespace)).toEqual([env.REALNODE]);
    const service = serviceTarget(namespace, 'hello-go');
    await until(service, (a) => a.every((x) => x.version === '1.0.0'), 'version 1.0.0 answering');

    // maxSurge 1, maxUnavailable 0: 4 ready pods at every moment, so no request may fail.
    const loop = requestLoop(service);
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': images.v2 }), 'succeeded');
    await until(service, (a) => a.every((x) => x.version === '2.0.0'), 'version 2.0.0 alone');
    const during = await loop.stop();
    const shares = versionShares(during);
    console.log(`rolling 1.0.0 -> 2.0.0, ${during.length} requests during the rollout:`, shares);
    expect(during.filter((a) => a.status !== 200)).toEqual([]);
    expect(shares['1.0.0']).toBeGreaterThan(0);
    expect(shares['2.0.0']).toBeGreaterThan(0);

    // Prometheus: the request rate by pod and track and the error ratio, from the pods' own
    // /metrics, while requests go on (the old pods' series age out of the 30 s window).
    const live = getJson(['get', 'pods', '-n', namespace, '-l', 'app=hello-go'])
      .items.filter(
        (pod: { metadata: { deletionTimestamp?: string } }) => !pod.metadata.deletionTimestamp,
      )
      .map((pod: { metadata: { name: string } }) => pod.metadata.name)
      .sort();
    const traffic = requestLoop(service);
    const selector = `namespace="${namespace}",deployment="hello-go",pod=~"${live.join('|')}"`;
    const deadline = Date.now() + 60_000;
    let byPod: { metric: Record<string, string> }[] = [];
    const started = Date.now();
    while (Date.now() < deadline) {
      byPod = await prometheusQuery(
        `sum by (pod, track) (rate(http_requests_total{${selector}}[30s])) > 0`,
      );
      if (byPod.length === live.length) break;
      await sleep(1000);
    }
    console.log(
      `Prometheus: request rate for all ${live.length} pods after ${Date.now() - started} ms`,
    );
    const errorRatio = await prometheusQuery(
      `(sum(rate(http_requests_total{${selector},code=~"5.."}[30s])) or vector(0)) / sum(rate(http_requests_total{${selector}}[30s]))`,
    );
    await traffic.stop();
    expect(byPod.map((r) => [r.metric.pod, r.metric.track]).sort()).toEqual(
      live.map((pod: string) => [pod, 'stable']),
    );
    expect(errorRatio.map((r) => Number(r.value[1]))).toEqual([0]);
  });

  it('rolls a crashing version back, with its last log lines and events, serving throughout', async () => {
    const service = serviceTarget(namespace, 'hello-go');
    const loop = requestLoop(service);
    const crashed = await deploy(cwd, namespace, {
      'deploy-images': images.crash,
      'rollout-timeout': '40s',
    });
    const during = await loop.stop();

    expect(crashed.exitCode).not.toBe(0);
    expect(crashed.outputs.rollout).toBe('rolled-back');
    const error = crashed.errors.join('\n');
    expect(error).toMatch(/rolled back deployment\/hello-go to the previous version/);
    // The container's own last words, read from the real node through the API server.
    expect(error).toMatch(
      /last log lines of hello-go[^\n]*:\n\s+\{[^\n]*refusing to start: FAIL_MODE=crash/,
    );
    expect(error).toMatch(/recent events:/);
    expect(error).toMatch(/BackOff: Back-off restarting failed container hello-go/);
    expect(crashed.summary).toContain('refusing to start: FAIL_MODE=crash');
    expect(crashed.summary).toContain('Back-off restarting failed container');

    // maxUnavailable 0: the crashing pod never became ready, the 4 old ones served every request.
    console.log(`crash rollout, ${during.length} requests:`, versionShares(during));
    expect(during.filter((a) => a.status !== 200)).toEqual([]);
    expect(versionShares(during)).toEqual({ '2.0.0': during.length });
    expect(versionShares(await sample(service, 40))).toEqual({ '2.0.0': 40 });
  });
});

describe('canary on the real node', () => {
  const canary = { strategy: 'canary', 'canary-percentage': '20' };

  async function measure(target: Target, label: string): Promise<number> {
    const answers = await sample(target, SAMPLE);
    const shares = versionShares(answers);
    const percent = (100 * (shares['2.0.0'] ?? 0)) / SAMPLE;
    console.log(`${label}: ${SAMPLE} requests`, shares, `-> canary ${percent.toFixed(1)} %`);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    return percent;
  }

  it.each([
    ['pod', false],
    ['gateway-api', true],
  ] as [string, boolean][])(
    'traffic-split %s: 20 %% of requests reach the canary; promote, then reject',
    async (split, withRoute) => {
      const namespace = newNamespace(split.replace(/[^a-z]/g, ''));
      const { cwd, host } = workspace(namespace, withRoute);
      const inputs = { ...canary, 'traffic-split': split };
      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v1 }),
        'succeeded',
      );
      const target = withRoute ? routerTarget(host) : serviceTarget(namespace, 'hello-go');
      await until(target, (a) => a.every((x) => x.version === '1.0.0'), 'stable 1.0.0 answering');

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v2 }),
        'canary-ready',
      );
      expect(podsOnNodes(namespace)).toEqual([env.REALNODE]);
      // The Service or route follows the canary's readiness a moment later.
      await until(target, (a) => a.some((x) => x.version === '2.0.0'), 'the canary answering', 30);
      const percent = await measure(target, `canary (${split}) at 20 %`);
      expect(Math.abs(percent - 20)).toBeLessThanOrEqual(SHARE_TOLERANCE_POINTS);

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-action': 'promote' }),
        'promoted',
      );
      await until(target, (a) => a.every((x) => x.version === '2.0.0'), 'only 2.0.0 after promote');
      expect(versionShares(await sample(target, 100))).toEqual({ '2.0.0': 100 });

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v3 }),
        'canary-ready',
      );
      await until(
        target,
        (a) => a.some((x) => x.version === '3.0.0'),
        'the second canary answering',
        30,
      );
      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-action': 'reject' }),
        'rejected',
      );
      await until(target, (a) => a.every((x) => x.version === '2.0.0'), 'only 2.0.0 after reject');
      expect(versionShares(await sample(target, 100))).toEqual({ '2.0.0': 100 });
    },
  );
});
