// The testbed's real node for e2e tests: the example service (examples/hello-go) built in
// versions, namespaces and workspaces with its manifests, the deploy step through the
// runner-like harness, and requests from this host (only to testbed ClusterIPs and the
// router on 127.0.0.1) that say which version answered.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import type { GitHubApiStub } from './github-api';
import { runAction, type ActionResult } from './runner';
import { REPO_ROOT, testbedEnv } from './testbed';

export const env = testbedEnv();
const APP = path.join(REPO_ROOT, 'examples', 'hello-go');
const REPOSITORY = `${env.REGISTRY}/e2e-realnode/hello-go`;
const EXAMPLE_IMAGE = '127.0.0.1:5000/demo/hello-go:latest';

for (const key of ['REALNODE', 'ROUTER_URL', 'PROMETHEUS_URL', 'TESTBED_SERVICE_CIDR']) {
  if (!env[key]) throw new Error(`.testbed/env has no ${key}: run npm run testbed -- up`);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl JSON */
export function kubectl(
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

export function getJson(args: string[]): any {
  const result = kubectl([...args, '-o', 'json']);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- images: built once per run, one per behaviour, all from the example's Dockerfile --------

/** Builds and pushes the example at `version` with extra build args; its digest reference. */
export function buildImage(version: string, args: string[] = []): string {
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
  if (result.status !== 0) throw new Error(`building ${version}: ${result.stderr.slice(-2000)}`);
  const digest = JSON.parse(fs.readFileSync(metadata, 'utf8'))['containerimage.digest'];
  return `${REPOSITORY}@${digest}`;
}

// ---- namespaces and workspaces ---------------------------------------------------------------

const namespaces: string[] = [];
let counter = 0;

export function newNamespace(name: string): string {
  const namespace = `gantry-e2e-real-${name}-${process.pid}-${++counter}`.slice(0, 63);
  const created = kubectl(['create', 'namespace', namespace]);
  if (created.status !== 0) throw new Error(created.stderr);
  namespaces.push(namespace);
  return namespace;
}

/** Deletes the namespaces this test file made (call from afterAll). */
export function deleteNamespaces(): void {
  if (namespaces.length > 0) kubectl(['delete', 'namespace', ...namespaces, '--wait=false']);
}

/**
 * A workspace with the example's manifests (k8s/, and gateway/ for the router) naming this
 * run's repository, the route's hostname unique to the namespace.
 */
export function workspace(namespace: string, withRoute = false): { cwd: string; host: string } {
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

export function deploy(
  cwd: string,
  namespace: string,
  inputs: Record<string, string>,
  options: { api?: GitHubApiStub } = {},
): Promise<ActionResult> {
  return runAction({
    inputs: { stages: 'deploy', manifests: 'k8s', namespace, 'rollout-timeout': '90s', ...inputs },
    event: 'push-branch-main',
    env,
    api: options.api,
    cwd,
    timeoutMs: 5 * 60_000,
  });
}

export function expectSuccess(result: ActionResult, rollout: string): void {
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

export interface Target {
  url: string;
  host?: string;
}

export function serviceTarget(namespace: string, service: string): Target {
  const ip = getJson(['get', 'service', service, '-n', namespace]).spec.clusterIP as string;
  if (!inServiceCidr(ip)) throw new Error(`${ip} is not a testbed ClusterIP`);
  return { url: `http://${ip}/` };
}

export function routerTarget(host: string): Target {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(env.ROUTER_URL))
    throw new Error(`ROUTER_URL ${env.ROUTER_URL} is not on 127.0.0.1`);
  return { url: `${env.ROUTER_URL}/`, host };
}

export interface Answer {
  status: number;
  version?: string;
  pod?: string;
  error?: string;
}

/** One request on a new connection (so the Service's per-connection balancing applies). */
export function request(target: Target): Promise<Answer> {
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

export async function sample(target: Target, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await request(target));
  return answers;
}

export function versionShares(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const key = answer.status === 200 ? (answer.version ?? '?') : `failed (${answer.status})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Polls (bounded) until `ok` holds for a run of answers, e.g. a route or Service settled. */
export async function until(
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
export function requestLoop(target: Target): { stop: () => Promise<Answer[]> } {
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

export async function prometheusQuery(
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(
    `${env.PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await response.json()) as { data: { result: [] } };
  return body.data.result;
}

export function podsOnNodes(namespace: string): string[] {
  return [
    ...new Set(
      getJson(['get', 'pods', '-n', namespace]).items.map(
        (pod: { spec: { nodeName: string } }) => pod.spec.nodeName,
      ),
    ),
  ] as string[];
}
