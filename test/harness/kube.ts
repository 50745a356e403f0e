// kubectl for e2e tests against the testbed's cluster: run, read JSON, look at pods and the
// endpoints a Service sends traffic to, and namespaces that are removed after the suite.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO_ROOT, testbedEnv } from './testbed';

/* eslint-disable @typescript-eslint/no-explicit-any -- kubectl JSON */
export function kubectl(
  args: string[],
  input?: string,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, ...testbedEnv() },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function kubectlOk(args: string[], input?: string): string {
  const result = kubectl(args, input);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const ROUTING_CRDS = path.join(REPO_ROOT, 'test', 'fixtures', 'deploy', 'crds');

/**
 * The routing CRDs the traffic splits write (HTTPRoute, SMI TrafficSplit), from the minimal
 * stand-ins in test/fixtures, only where the cluster has none: the testbed installs the real
 * Gateway API CRDs for its router, and a stand-in over them would drop the status subresource
 * and the other versions the router needs (it answered 404 after its next start).
 */
export function ensureRoutingCrds(): void {
  const missing = fs
    .readdirSync(ROUTING_CRDS)
    .map((file) => path.join(ROUTING_CRDS, file))
    .filter((file) => {
      const name: string = parse(fs.readFileSync(file, 'utf8')).metadata.name;
      return kubectl(['get', 'crd', name]).status !== 0;
    });
  if (missing.length > 0) kubectlOk(['apply', ...missing.flatMap((file) => ['-f', file])]);
  kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/httproutes.gateway.networking.k8s.io',
    'crd/trafficsplits.split.smi-spec.io',
  ]);
}

export function getJson(args: string[]): any {
  return JSON.parse(kubectlOk([...args, '-o', 'json']));
}

export function exists(namespace: string, ref: string): boolean {
  return (
    kubectl(['get', ref, '-n', namespace, '--ignore-not-found', '-o', 'name']).stdout.trim() !== ''
  );
}

function isReady(pod: any): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Running (not terminating) pods with these labels: their image and readiness. */
export function pods(namespace: string, selector: string): { image: string; ready: boolean }[] {
  return getJson(['get', 'pods', '-n', namespace, '-l', selector])
    .items.filter((pod: any) => !pod.metadata.deletionTimestamp)
    .map((pod: any) => ({ image: pod.spec.containers[0].image, ready: isReady(pod) }));
}

function endpointCount(namespace: string, service: string): number {
  return getJson([
    'get',
    'endpointslices',
    '-n',
    namespace,
    '-l',
    `kubernetes.io/service-name=${service}`,
  ]).items.flatMap((slice: any) => slice.endpoints ?? []).length;
}

/**
 * How many pods a Service sends traffic to once the EndpointSlice controller has caught
 * up (it follows pod readiness asynchronously): polls, bounded, until it shows `expected`.
 */
export async function settledEndpointCount(
  namespace: string,
  service: string,
  expected: number,
): Promise<number> {
  const deadline = Date.now() + 30_000;
  let count = endpointCount(namespace, service);
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    count = endpointCount(namespace, service);
  }
  return count;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Namespaces made by one suite, deleted (without waiting) by `deleteNamespaces` in afterAll. */
export class TestNamespaces {
  private readonly made: string[] = [];
  private counter = 0;

  constructor(private readonly prefix: string) {}

  create(name: string): string {
    const namespace = `${this.prefix}-${name}-${process.pid}-${++this.counter}`.slice(0, 63);
    kubectlOk(['create', 'namespace', namespace]);
    this.made.push(namespace);
    return namespace;
  }

  deleteAll(): void {
    if (this.made.length > 0) kubectl(['delete', 'namespace', ...this.made, '--wait=false']);
  }
}
