// The deploy stage's one door to the cluster: kubectl, run with argument arrays. It honours
// KUBECONFIG (or kubeconfig content from the input, written to a private temp file) and counts
// its invocations for the benchmark.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectlDuration } from '../../lib/duration';
import { run, tail, type RunResult } from '../../lib/exec';
import { byNamespace } from './live';
import type { KubeObject } from './model';
import { objectRef, ROLLOUT_KINDS } from './workloads';

export const KUBECTL = 'kubectl';
const FIELD_MANAGER = 'gantry';

export interface WaitResult {
  object: KubeObject;
  ready: boolean;
  message: string;
}

export interface ApplyOptions {
  serverSide: boolean;
  force: boolean;
}

// Kubeconfig fields that grant access; their values never appear in a log.
const SECRET_FIELDS =
  /^\s*-?\s*(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token):\s*["']?([^\s"']+)/gm;

export function kubeconfigSecrets(kubeconfig: string): string[] {
  return [...kubeconfig.matchAll(SECRET_FIELDS)].map((match) => match[1]);
}

/** kubectl prints one object, a List, or nothing (everything ignored as not found). */
export function parseKubectlJson(stdout: string): KubeObject[] {
  const text = stdout.trim();
  if (text === '') return [];
  const value = JSON.parse(text) as KubeObject & { items?: KubeObject[] };
  return value.kind === 'List' || Array.isArray(value.items) ? (value.items ?? []) : [value];
}

export class Kubectl {
  /** kubectl invocations so far. */
  calls = 0;
  /** Wall time spent waiting for rollouts, so the benchmark can tell Gantry's own time apart. */
  waitingMs = 0;
  private readonly env: NodeJS.ProcessEnv;
  private readonly tempDir: string | undefined;

  /**
   * `namespace` ('' = the kubeconfig context's) is passed as -n when set. `kubeconfig` is
   * content; when empty, kubectl finds its configuration as usual (KUBECONFIG, ~/.kube/config).
   */
  constructor(
    private readonly namespace: string,
    kubeconfig = '',
    private readonly globalArgs: string[] = [],
  ) {
    this.env = { ...process.env };
    if (kubeconfig !== '') {
      for (const secret of kubeconfigSecrets(kubeconfig)) core.setSecret(secret);
      this.tempDir = fs.mkdtempSync(
        path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'gantry-kube-'),
      );
      const file = path.join(this.tempDir, 'config');
      fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
      this.env.KUBECONFIG = file;
    }
  }

  dispose(): void {
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private async kubectl(
    args: string[],
    options: { input?: string; allowFailure?: boolean } = {},
  ): Promise<RunResult> {
    this.calls++;
    const started = Date.now();
    try {
      return await run(KUBECTL, [...this.globalArgs, ...args], { env: this.env, ...options });
    } finally {
      core.debug(`kubectl ${[...this.globalArgs, ...args].join(' ')} (${Date.now() - started} ms)`);
    }
  }

  private namespaceArgs(namespace: string): string[] {
    return namespace ? ['--namespace', namespace] : [];
  }

  /**
   * The named objects that exist, one call per namespace. Being the first call, it is also the
   * check that the cluster answers, before anything is applied.
   */
  async getExisting(
    objects: KubeObject[],
    namespaceOf: (o: KubeObject) => string,
  ): Promise<Map<string, KubeObject[]>> {
    const found = new Map<string, KubeObject[]>();
    for (const [namespace, group] of byNamespace(objects, namespaceOf)) {
      const refs = [...new Set(group.map(objectRef))];
      const result = await this.kubectl(
        [
          'get',
          ...refs,
          '--ignore-not-found',
          '--output',
          'json',
          '--request-timeout',
          '30s',
          ...this.namespaceArgs(namespace),
        ],
        { allowFailure: true },
      );
      if (result.exitCode !== 0) {
        const where = this.env.KUBECONFIG ? ` (KUBECONFIG=${this.env.KUBECONFIG})` : '';
        throw new Error(
          `Cannot reach the Kubernetes cluster${where}, or cannot read ${refs[0]}${namespace ? ` in namespace ${namespace}` : ''}; nothing was applied:\n${tail(result.stderr || result.stdout, 8)}`,
        );
      }
      found.set(namespace, parseKubectlJson(result.stdout));
    }
    return found;
  }

  /** One `kubectl apply -f -` for the whole batch; returns the objects as the server stored them. */
  async apply(objects: KubeObject[], options: ApplyOptions): Promise<KubeObject[]> {
    if (objects.length === 0) return [];
    const args = [
      'apply',
      '--filename',
      '-',
      '--output',
      'json',
      ...this.namespaceArgs(this.namespace),
    ];
    if (options.serverSide) {
      args.push('--server-side', `--field-manager=${FIELD_MANAGER}`);
      if (options.force) args.push('--force-conflicts');
    } else if (options.force) {
      args.push('--force');
    }
    // One List document: kubectl applies its items in order.
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
    const result = await this.kubectl(args, { input });
    return parseKubectlJson(result.stdout);
  }

  /**
   * Waits until a workload is rolled out (`kubectl rollout status`: observed generation,
   * updated and available replicas), a ReplicaSet has its ready replicas, or a Pod is Ready.
   */
  async waitReady(object: KubeObject, timeoutSeconds: number): Promise<WaitResult> {
    const timeout = ['--timeout', kubectlDuration(timeoutSeconds)];
    const ns = this.namespaceArgs(object.metadata.namespace ?? this.namespace);
    let args: string[];
    if (ROLLOUT_KINDS.includes(object.kind)) {
      args = ['rollout', 'status', objectRef(object), '--watch', ...timeout, ...ns];
    } else if (object.kind === 'ReplicaSet') {
      const replicas = object.spec?.replicas ?? 1;
      args = [
        'wait',
        objectRef(object),
        `--for=jsonpath={.status.readyReplicas}=${replicas}`,
        ...timeout,
        ...ns,
      ];
    } else if (object.kind === 'Pod') {
      args = ['wait', objectRef(object), '--for=condition=Ready', ...timeout, ...ns];
    } else {
      return { object, ready: true, message: `${objectRef(object)}: nothing to wait for` };
    }
    const result = await this.kubectl(args, { allowFailure: true });
    const message = tail(result.exitCode === 0 ? result.stdout : result.stderr || result.stdout, 3);
    return { object, ready: result.exitCode === 0, message };
  }

  /** Waits for all objects at once. */
  async waitAll(objects: KubeObject[], timeoutSeconds: number): Promise<WaitResult[]> {
    const started = Date.now();
    try {
      return await Promise.all(objects.map((object) => this.waitReady(object, timeoutSeconds)));
    } finally {
      this.waitingMs += Date.now() - started;
    }
  }

  /** `kubectl rollout undo`, to the revision recorded before this run's apply when known. */
  async undo(object: KubeObject, revision: string | undefined): Promise<void> {
    const args = [
      'rollout',
      'undo',
      objectRef(object),
      ...this.namespaceArgs(object.metadata.namespace ?? this.namespace),
    ];
    if (revision) args.push(`--to-revision=${revision}`);
    await this.kubectl(args);
  }

  /** Deletes objects by kind and name, one call per namespace; missing ones are fine. */
  async delete(objects: KubeObject[]): Promise<void> {
    for (const [namespace, group] of byNamespace(
      objects,
      (o) => o.metadata.namespace ?? this.namespace,
    )) {
      const refs = [
        ...new Set(
          group.map((o) =>
            `${o.kind.toLowerCase()}.${apiGroup(o)}/${o.metadata.name}`.replace('./', '/'),
          ),
        ),
      ];
      await this.kubectl([
        'delete',
        ...refs,
        '--ignore-not-found',
        ...this.namespaceArgs(namespace),
      ]);
    }
  }

  /** A container's last log lines (of its previous run with `previous`); none when kubectl fails. */
  async containerLogs(
    namespace: string,
    pod: string,
    container: string,
    previous: boolean,
    tail: number,
  ): Promise<string[]> {
    const result = await this.kubectl(
      [
        'logs',
        `pod/${pod}`,
        '--container',
        container,
        '--tail',
        String(tail),
        ...(previous ? ['--previous'] : []),
        ...this.namespaceArgs(namespace),
      ],
      { allowFailure: true },
    );
    return result.exitCode === 0 ? result.stdout.split('\n').filter((line) => line !== '') : [];
  }

  /** `kubectl annotate --overwrite` one object by kubectl reference (e.g. `namespace/web`). */
  async annotate(ref: string, annotations: Record<string, string>): Promise<void> {
    const pairs = Object.entries(annotations).map(([key, value]) => `${key}=${value}`);
    await this.kubectl(['annotate', ref, ...pairs, '--overwrite']);
  }

  /** Pods and events of a namespace, for diagnostics. */
  async podsAndEvents(namespace: string): Promise<{ pods: KubeObject[]; events: KubeObject[] }> {
    const result = await this.kubectl(
      ['get', 'pods,events', '--output', 'json', ...this.namespaceArgs(namespace)],
      {
        allowFailure: true,
      },
    );
    const items = result.exitCode === 0 ? parseKubectlJson(result.stdout) : [];
    return {
      pods: items.filter((item) => item.kind === 'Pod'),
      events: items.filter((item) => item.kind === 'Event'),
    };
  }
}

/** The API group of an object ('' for the core group), so kubectl resolves the right kind. */
function apiGroup(object: KubeObject): string {
  return object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
}
