// The deploy stage's one door to the cluster: kubectl, run with argument arrays, and beside it
// the API server asked directly for the small requests (reads, leases, rollout status,
// server-side apply) when the kubeconfig is one understood here (kube/config.ts). It honours
// KUBECONFIG (or kubeconfig content from the input, written to a private temp file) and counts
// its kubectl invocations and API requests for the benchmark.
import * as core from '@actions/core';
import { sleep } from '../../lib/sleep';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectlDuration } from '../../lib/duration';
import { describeCommand, run, tail, type RunResult } from '../../lib/exec';
import { parse as parseYaml } from 'yaml';
import {
  backoffMs,
  firstErrorLine,
  isTransportError,
  isWaitTimeout,
  lastProgress,
} from './api-errors';
import { KubeApi } from './kube/api';
import {
  checkComputed,
  computedWrites,
  rebasedWrite,
  storeComputed,
  type Rebase,
} from './kube/computed-apply';
import { apiTargetFromEnv } from './kube/config';
import { ApiTransportError } from './kube/http';
import { hasRolloutStatus, rolloutStatus } from './kube/rollout-status';
import { canonicalJson } from '../../lib/canonical-json';
import { mergeBatchHere } from './kube/merged-here';
import { apiGroup } from './kube/resources';
import { checkFieldsStrictly, strictlyCheckable } from './kube/strict-fields';
import { WATCHED_READ_MS, WatchedChanges } from './kube/watched-changes';
import { byNamespace } from './live';
import type { KubeObject } from './model';
import { objectRef, ROLLOUT_KINDS } from './workloads';

export const KUBECTL = 'kubectl';
const FIELD_MANAGER = 'gantry';

export interface WaitResult {
  object: KubeObject;
  ready: boolean;
  message: string;
  /** The API server could not be reached when the wait ended: there is no verdict. */
  unreachable?: boolean;
  /** A cancellation stopped the wait. */
  cancelled?: boolean;
  /** kubectl's last progress line ("Waiting for ... 3 of 4 updated replicas are available"). */
  lastSeen?: string;
}

export interface ApplyOptions {
  serverSide: boolean;
  force: boolean;
}

/** A kubectl call that failed; `transport` when the API server could not be reached. */
export class KubectlError extends Error {
  constructor(
    command: string,
    readonly result: RunResult,
    readonly transport: boolean,
  ) {
    super(
      `${command} failed${transport ? ' (the Kubernetes API server could not be reached)' : ''}:\n${tail(result.stderr || result.stdout, 8)}`,
    );
    this.name = 'KubectlError';
  }
}

// Kubeconfig fields that grant access; their values never appear in a log.
const SECRET_KEYS = new Set([
  'token',
  'password',
  'client-key-data',
  'client-certificate-data',
  'id-token',
  'refresh-token',
  'access-token',
  'client-secret',
]);
// A YAML line `key: value` or a JSON member `"key": "value"`, for text that does not parse.
const SECRET_LINES =
  /^\s*-?\s*(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|client-secret):\s*["']?([^\s"']+)/gm;
const SECRET_MEMBERS =
  /"(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|client-secret)"\s*:\s*"((?:[^"\\]|\\.)+)"/g;

function secretValues(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) secretValues(item, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) && (typeof item === 'string' || typeof item === 'number')) {
        if (String(item) !== '') out.add(String(item));
      } else {
        secretValues(item, out);
      }
    }
  }
}

/**
 * Every credential in kubeconfig content, YAML or JSON (JSON is YAML too): read as a document
 * when it parses, and line by line as well, so text that does not parse is masked all the same.
 */
export function kubeconfigSecrets(kubeconfig: string): string[] {
  const found = new Set<string>();
  try {
    secretValues(parseYaml(kubeconfig), found);
  } catch {
    // Not YAML or JSON: the line patterns below still find what looks like a credential.
  }
  for (const match of kubeconfig.matchAll(SECRET_LINES)) found.add(match[1]);
  for (const match of kubeconfig.matchAll(SECRET_MEMBERS)) found.add(JSON.parse(`"${match[1]}"`));
  return [...found].filter((value) => value.length > 0);
}

/** kubectl prints one object, a List, or nothing (everything ignored as not found). */
export function parseKubectlJson(stdout: string): KubeObject[] {
  const text = stdout.trim();
  if (text === '') return [];
  const value = JSON.parse(text) as KubeObject & { items?: KubeObject[] };
  return value.kind === 'List' || Array.isArray(value.items) ? (value.items ?? []) : [value];
}

/** Names on one `kubectl get`/`delete` command line: 30,000 of them overflow the OS limit (E2BIG). */
export const REFS_PER_CALL = 200;
/** How long reads and idempotent writes keep retrying while the API server cannot be reached. */
const RETRY_MS = 10_000;
/** After a rollout wait ran out, how long the one last look may retry an unreachable API. */
const FINAL_CHECK_MS = 15_000;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface CallOptions {
  input?: string;
  allowFailure?: boolean;
  /** Stops the call (and its retries) when aborted. */
  signal?: AbortSignal;
  /** Retry while the API server cannot be reached, until this time (epoch ms). */
  retryUntil?: number;
}

function cancelledWait(object: KubeObject, lastSeen: string | undefined): WaitResult {
  return { object, ready: false, cancelled: true, message: 'the wait was cancelled', lastSeen };
}

/** No verdict: the API server could not be reached as the wait ended. */
function unreachableWait(
  object: KubeObject,
  unreachable: string,
  lastSeen: string | undefined,
): WaitResult {
  return {
    object,
    ready: false,
    unreachable: true,
    message: `the Kubernetes API server could not be reached when the rollout timeout ended (${unreachable})`,
    lastSeen,
  };
}

function strictRefusal(message: string): Error {
  return new Error(
    `The Kubernetes API server refused the manifests in a dry run (strict field validation, as kubectl apply --validate=strict); nothing was applied:\n${message}`,
  );
}

/** An object's identity across reads: kind, namespace as written, name. */
function baseKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * The private copies of kubeconfigs not disposed yet: a Kubectl made ahead for a deploy that
 * never ran (the scan failed the job) still leaves no credentials behind.
 */
const privateDirs = new Set<string>();
let removingAtExit = false;
function removeAtExit(dir: string): void {
  if (!removingAtExit) {
    removingAtExit = true;
    process.once('exit', () => {
      for (const left of privateDirs) fs.rmSync(left, { recursive: true, force: true });
    });
  }
  privateDirs.add(dir);
}

export class Kubectl {
  /** kubectl invocations so far. */
  calls = 0;
  /** Wall time spent waiting for rollouts, so the benchmark can tell Gantry's own time apart. */
  waitingMs = 0;
  private readonly env: NodeJS.ProcessEnv;
  private readonly tempDir: string | undefined;
  /** Batches (JSON) the server validated strictly in a dry run moments ago, and its answer. */
  private readonly validated = new Map<string, KubeObject[]>();
  /** Objects as they were when a dry run computed their apply ahead (readBases), by key. */
  private readonly bases = new Map<string, KubeObject>();
  /** The API server asked directly; undefined when the kubeconfig is left to kubectl. */
  private readonly api: KubeApi | undefined;

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
      removeAtExit(this.tempDir);
      this.env.KUBECONFIG = file;
    }
    this.api = this.directApi();
  }

  /**
   * The API server, asked directly, when kubectl's configuration is one understood here and no
   * flag is passed that only kubectl knows. GANTRY_KUBE_API=off keeps every call on kubectl.
   */
  private directApi(): KubeApi | undefined {
    const insecure = this.globalArgs.includes('--insecure-skip-tls-verify');
    const other = this.globalArgs.filter((arg) => arg !== '--insecure-skip-tls-verify');
    const found =
      process.env.GANTRY_KUBE_API === 'off'
        ? { unsupported: 'GANTRY_KUBE_API=off' }
        : other.length > 0
          ? { unsupported: `kubectl flags ${other.join(' ')}` }
          : apiTargetFromEnv(this.env, { insecure });
    if ('unsupported' in found) {
      core.debug(`kubectl for every call (${found.unsupported})`);
      return undefined;
    }
    core.debug(
      `API server asked directly: ${found.target.server}${found.target.insecure ? ' (insecure-skip-tls-verify: its certificate is not checked)' : ''}`,
    );
    return new KubeApi(found.target, this.namespace);
  }

  /** Whether requests go to the API server directly (else every call is kubectl's). */
  get asksApiDirectly(): boolean {
    return this.api !== undefined;
  }

  /**
   * Gets the direct path ready for these objects and the leases (discovery read, connections
   * open) while other stages run; nothing is read or written that the deploy relies on.
   */
  warm(objects: KubeObject[]): void {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: '' } };
    void this.api?.warm([...objects, lease]);
  }

  /** API requests sent directly so far. */
  get requests(): number {
    return this.api?.requests ?? 0;
  }

  dispose(): void {
    this.api?.dispose();
    if (this.tempDir) {
      fs.rmSync(this.tempDir, { recursive: true, force: true });
      privateDirs.delete(this.tempDir);
    }
  }

  /**
   * An API request, retried while the server cannot be reached until `retryUntil` (epoch ms);
   * then an unreachable server is a KubectlError marked `transport`, like kubectl's.
   */
  private async direct<T>(
    what: string,
    request: () => Promise<T>,
    options: { retryUntil?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        const result = await request();
        core.debug(`API ${what} (${Date.now() - started} ms)`);
        return result;
      } catch (err) {
        if (!(err instanceof ApiTransportError) || options.signal?.aborted) throw err;
        const pause = backoffMs(attempt);
        if (options.retryUntil !== undefined && Date.now() + pause < options.retryUntil) {
          core.info(`API server did not answer (${err.message}); retrying`);
          await sleep(pause, options.signal);
          continue;
        }
        throw new KubectlError(what, apiFailure(err), true);
      }
    }
  }

  /** Where the configuration comes from, for messages. */
  get configDescription(): string {
    return this.env.KUBECONFIG ? ` (KUBECONFIG=${this.env.KUBECONFIG})` : '';
  }

  private async kubectl(args: string[], options: CallOptions = {}): Promise<RunResult> {
    for (let attempt = 0; ; attempt++) {
      this.calls++;
      const started = Date.now();
      const result = await run(KUBECTL, [...this.globalArgs, ...args], {
        env: this.env,
        input: options.input,
        signal: options.signal,
        allowFailure: true,
      });
      core.debug(
        `kubectl ${[...this.globalArgs, ...args].slice(0, 8).join(' ')} (${Date.now() - started} ms)`,
      );
      if (result.exitCode === 0 || options.signal?.aborted) return result;
      const text = result.stderr || result.stdout;
      const transport = isTransportError(text);
      const pause = backoffMs(attempt);
      if (
        transport &&
        options.retryUntil !== undefined &&
        Date.now() + pause < options.retryUntil
      ) {
        core.info(`kubectl: the API server did not answer (${firstErrorLine(text)}); retrying`);
        await sleep(pause, options.signal);
        continue;
      }
      if (options.allowFailure) return result;
      const shown = args.length > 8 ? [...args.slice(0, 8), `… (${args.length} arguments)`] : args;
      throw new KubectlError(describeCommand(KUBECTL, shown), result, transport);
    }
  }

  private namespaceArgs(namespace: string): string[] {
    return namespace ? ['--namespace', namespace] : [];
  }

  /** `kubectl get` of named objects in one namespace, a few hundred names per call. */
  private async getNamed(
    namespace: string,
    group: KubeObject[],
    options: {
      timeout: string;
      signal?: AbortSignal;
      failure: (refs: string[], result: RunResult) => Error;
    },
  ): Promise<KubeObject[]> {
    if (this.api) return this.getDirect(namespace, group, options);
    const items: KubeObject[] = [];
    for (const refs of chunks([...new Set(group.map(qualifiedRef))], REFS_PER_CALL)) {
      const result = await this.kubectl(
        [
          'get',
          ...refs,
          '--ignore-not-found',
          '--output',
          'json',
          '--request-timeout',
          options.timeout,
          ...this.namespaceArgs(namespace),
        ],
        { allowFailure: true, retryUntil: Date.now() + RETRY_MS, signal: options.signal },
      );
      if (result.exitCode !== 0) throw options.failure(refs, result);
      items.push(...parseKubectlJson(result.stdout));
    }
    return items;
  }

  /** `getNamed` over the API: one GET per object, side by side, absent ones left out. */
  private async getDirect(
    namespace: string,
    group: KubeObject[],
    options: {
      signal?: AbortSignal;
      failure: (refs: string[], result: RunResult) => Error;
    },
  ): Promise<KubeObject[]> {
    const api = this.api!;
    const unique = new Map(group.map((object) => [qualifiedRef(object), object]));
    const retryUntil = Date.now() + RETRY_MS;
    const found = await Promise.all(
      [...unique].map(async ([ref, object]) => {
        try {
          return await this.direct(`get ${ref}`, () => api.get(object, namespace, options.signal), {
            retryUntil,
            signal: options.signal,
          });
        } catch (err) {
          if (options.signal?.aborted) throw err;
          throw options.failure([ref], err instanceof KubectlError ? err.result : apiFailure(err));
        }
      }),
    );
    return found.filter((object): object is KubeObject => object !== undefined);
  }

  /**
   * The named objects that exist, by namespace. Being the first call, it is also the check that
   * the cluster answers, before anything is applied.
   */
  async getExisting(
    objects: KubeObject[],
    namespaceOf: (o: KubeObject) => string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Map<string, KubeObject[]>> {
    const found = new Map<string, KubeObject[]>();
    for (const [namespace, group] of byNamespace(objects, namespaceOf)) {
      const failure = (refs: string[], result: RunResult) =>
        new Error(
          `Cannot reach the Kubernetes cluster${this.configDescription}, or cannot read ${refs[0]}${namespace ? ` in namespace ${namespace}` : ''}; nothing was applied:\n${tail(result.stderr || result.stdout, 8)}`,
        );
      found.set(
        namespace,
        await this.getNamed(namespace, group, { timeout: '30s', signal: options.signal, failure }),
      );
    }
    return found;
  }

  /** Reads objects back (after a rollout, before an undo), retrying an unreachable API briefly. */
  async read(objects: KubeObject[]): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    for (const [namespace, group] of byNamespace(
      objects,
      (o) => o.metadata.namespace ?? this.namespace,
    )) {
      const failure = (refs: string[], result: RunResult) =>
        new KubectlError(
          `kubectl get ${refs.slice(0, 3).join(' ')}`,
          result,
          isTransportError(result.stderr),
        );
      items.push(...(await this.getNamed(namespace, group, { timeout: '10s', failure })));
    }
    return items;
  }

  private applyArgs(options: ApplyOptions, extra: string[] = []): string[] {
    const args = [
      'apply',
      '--filename',
      '-',
      '--output',
      'json',
      ...extra,
      ...this.namespaceArgs(this.namespace),
    ];
    if (options.serverSide) {
      args.push('--server-side', `--field-manager=${FIELD_MANAGER}`);
      if (options.force) args.push('--force-conflicts');
      return args;
    }
    // The three-way merge takes each field's merge rules from kubectl's own types, not from
    // the server's OpenAPI documents: the same rules for every kind kubectl knows (a custom
    // resource gets a JSON merge patch either way), without fetching and parsing megabytes
    // of schema on every apply (about 0.25 s of CPU for the example's five objects).
    args.push('--openapi-patch=false');
    if (options.force) {
      args.push('--force');
    }
    return args;
  }

  /** One `kubectl apply -f -` for the whole batch; returns the objects as the server stored them. */
  async apply(objects: KubeObject[], options: ApplyOptions): Promise<KubeObject[]> {
    if (objects.length === 0) return [];
    if (this.api && options.serverSide) return this.applyDirect(objects, options, false);
    const computed = this.validated.get(JSON.stringify(objects));
    if (computed && this.api && !options.force) {
      const written = await this.writeComputed(objects, computed);
      if (written) return written;
    }
    // One List document: kubectl applies its items in order.
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
    // The same batch passed the server's strict field validation in the dry run, under this
    // run's leases: kubectl need not fetch the schemas to ask for it again.
    const extra = computed ? ['--validate=false'] : [];
    // Apply is declarative: sending the same batch again after a broken connection is safe.
    const result = await this.kubectl(this.applyArgs(options, extra), {
      input,
      retryUntil: Date.now() + RETRY_MS,
    });
    return parseKubectlJson(result.stdout);
  }

  /**
   * The whole batch through the API server's admission and validation without storing anything
   * (`--dry-run=server`): an object the server would refuse fails the run before any is applied.
   * Returns the objects as they would be stored. Fields the schema lacks are refused as by
   * kubectl's --validate=strict: checked over the API, or by kubectl when `kubectlValidates`
   * or the API's answers do not tell.
   */
  async dryRun(
    objects: KubeObject[],
    options: ApplyOptions,
    kubectlValidates = false,
  ): Promise<KubeObject[]> {
    if (objects.length === 0) return [];
    if (this.api && options.serverSide) {
      try {
        return await this.applyDirect(objects, options, true);
      } catch (err) {
        if (err instanceof KubectlError && err.transport) throw err;
        throw new Error(
          `The Kubernetes API server refused the manifests in a dry run (server-side apply, dryRun=All); nothing was applied:\n${errorText(err)}`,
        );
      }
    }
    // The batch's fields are checked strictly over the API when the server can say (see
    // kube/strict-fields.ts); kubectl then computes the apply without validating again.
    const fieldsChecked = !!this.api && !kubectlValidates && strictlyCheckable(objects);
    if (fieldsChecked && !options.force) {
      // Only annotations and images changed: the apply's patch holds nothing else, so there is
      // no field for a strict check to refuse (kubectl checks the patch it sends).
      const here = await this.mergedHere(objects).catch((err: unknown) => ({
        reason: errorText(err),
      }));
      if ('merged' in here) {
        core.debug('dry run: computed here, only annotations and images changed');
        this.markValidated(objects, here.merged);
        return here.merged;
      }
      core.debug(`dry run: kubectl computes the apply (${firstErrorLine(here.reason)})`);
    }
    // Beside kubectl, so the dry run's answer is as fresh when it returns as kubectl's alone
    // (readBases reads the objects right after it).
    const strictCheck = fieldsChecked
      ? checkFieldsStrictly(this.api!, objects, (what, request) =>
          this.direct(what, request, { retryUntil: Date.now() + RETRY_MS }),
        ).catch((err: unknown) => ({ verdict: 'unsure' as const, reason: errorText(err) }))
      : undefined;
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
    const result = await this.kubectl(
      this.applyArgs(
        options,
        fieldsChecked ? ['--dry-run=server', '--validate=false'] : ['--dry-run=server'],
      ),
      { input, allowFailure: true, retryUntil: Date.now() + RETRY_MS },
    );
    if (result.exitCode !== 0) {
      throw new Error(
        `The Kubernetes API server refused the manifests in a dry run (kubectl apply --dry-run=server); nothing was applied:\n${tail(result.stderr || result.stdout, 12)}`,
      );
    }
    if (strictCheck) {
      const strict = await strictCheck;
      if (strict.verdict === 'refused') throw strictRefusal(strict.message);
      if (strict.verdict === 'unsure') {
        core.debug(`dry run: kubectl validates the fields itself (${strict.reason})`);
        return this.dryRun(objects, options, true);
      }
    }
    const stored = parseKubectlJson(result.stdout);
    this.markValidated(objects, stored);
    return stored;
  }

  /**
   * Reads the objects a dry run computed an apply for, right after it, keeping those still at
   * the resourceVersion the merge was computed against: if one has changed by the time it is
   * written, and only in its status (a controller at work), the write can go ahead at its new
   * version (rebasedWrite) instead of leaving the batch to kubectl. Best effort.
   */
  async readBases(computed: KubeObject[]): Promise<void> {
    const api = this.api;
    if (!api) return;
    await Promise.all(
      computed
        .filter(
          (object) =>
            object.metadata.resourceVersion &&
            // Read already when the apply was computed here (mergedHere).
            this.bases.get(baseKey(object))?.metadata.resourceVersion !==
              object.metadata.resourceVersion,
        )
        .map(async (object) => {
          const live = await api.get(object, object.metadata.namespace).catch(() => undefined);
          if (live && live.metadata.resourceVersion === object.metadata.resourceVersion)
            this.bases.set(baseKey(object), live);
        }),
    );
  }

  /**
   * kubectl's client-side apply of the batch computed here (kube/merged-here.ts) from the
   * objects as they are now, when only annotations and images changed since the last apply:
   * the writes that change anything go through the server's dry run (dryRun=All), as kubectl's
   * patches would. The objects read are the bases readBases would read.
   */
  private async mergedHere(
    objects: KubeObject[],
  ): Promise<{ merged: KubeObject[] } | { reason: string }> {
    const api = this.api!;
    const send = <T>(what: string, request: () => Promise<T>) =>
      this.direct(what, request, { retryUntil: Date.now() + RETRY_MS });
    const live = await Promise.all(
      objects.map((object) => send(`get ${objectRef(object)}`, () => api.get(object))),
    );
    const here = mergeBatchHere(objects, live);
    if ('reason' in here) return here;
    for (const object of live) if (object) this.bases.set(baseKey(object), object);
    const planned = computedWrites(objects, here.merged);
    if ('reason' in planned) return planned;
    const refused = await checkComputed(
      api,
      planned.writes.filter(
        (_, index) => canonicalJson(here.merged[index]) !== canonicalJson(live[index]),
      ),
      send,
    );
    return refused ? { reason: refused } : here;
  }

  /** A Conflict's write again at the object's current version, when rebasedWrite allows it. */
  private readonly rebase: Rebase = async (write) => {
    const api = this.api;
    const base = this.bases.get(baseKey(write.object));
    if (!api || !base || !(await api.statusApart(write.object).catch(() => false)))
      return undefined;
    const current = await api
      .get(write.object, write.object.metadata.namespace)
      .catch(() => undefined);
    const again = rebasedWrite(write, base, current);
    if (again)
      core.debug(
        `${objectRef(write.object)}: only its status changed since the dry run; written at resourceVersion ${again.object.metadata.resourceVersion}`,
      );
    return again;
  };

  /**
   * A client-side apply computed ahead with a stand-in for `digest` (deploy/placeholder.ts):
   * the writes of the objects that carry the digest go through the server's dry run first
   * (the others are exactly what kubectl's dry run checked); then the answer counts as this
   * batch's dry run. Throws when anything does not line up or the server refuses: the caller
   * runs the batch's own dry run, whose verdict is the one to report.
   */
  async confirmComputed(
    objects: KubeObject[],
    computed: KubeObject[],
    digest: string,
  ): Promise<KubeObject[]> {
    if (!this.api) throw new Error('the API server is not asked directly');
    const planned = computedWrites(objects, computed);
    const reason =
      'reason' in planned
        ? planned.reason
        : await checkComputed(
            this.api,
            planned.writes.filter((write) => JSON.stringify(write.object).includes(digest)),
            (what, request) => this.direct(what, request, { retryUntil: Date.now() + RETRY_MS }),
            this.rebase,
          );
    if (reason) throw new Error(reason);
    this.markValidated(objects, computed);
    return computed;
  }

  /**
   * The client-side apply stored as the dry run computed it (kube/computed-apply.ts); undefined
   * when that does not fit, and `kubectl apply` does the batch.
   */
  private async writeComputed(
    objects: KubeObject[],
    computed: KubeObject[],
  ): Promise<KubeObject[] | undefined> {
    const api = this.api!;
    const planned = computedWrites(objects, computed);
    let outcome: { stored: KubeObject[] } | { reason: string };
    try {
      outcome =
        'reason' in planned
          ? planned
          : await storeComputed(
              api,
              planned.writes,
              (what, request) =>
                // A replace at a resourceVersion, or a create, sent again after a broken
                // connection is refused if the first arrived: then kubectl finds nothing to do.
                this.direct(what, request, { retryUntil: Date.now() + RETRY_MS }),
              this.rebase,
            );
    } catch (err) {
      outcome = { reason: errorText(err) };
    }
    if ('reason' in outcome) {
      core.info(`apply: kubectl applies the batch (${firstErrorLine(outcome.reason)})`);
      return undefined;
    }
    core.debug(`apply: wrote the dry run's result for ${outcome.stored.length} object(s)`);
    return outcome.stored;
  }

  /**
   * Server-side apply over the API, one object after another in the batch's order (a Namespace
   * before what lands in it); the first refusal stops the batch, as a failed dry run stops the
   * deploy. Declarative, so a request the server may not have seen is sent again.
   */
  private async applyDirect(
    objects: KubeObject[],
    options: ApplyOptions,
    dryRun: boolean,
  ): Promise<KubeObject[]> {
    const api = this.api!;
    const retryUntil = Date.now() + RETRY_MS;
    const stored: KubeObject[] = [];
    for (const object of objects) {
      this.checkNamespace(object);
      stored.push(
        await this.direct(
          `apply ${objectRef(object)}`,
          () => api.apply(object, FIELD_MANAGER, { force: options.force, dryRun }),
          { retryUntil },
        ),
      );
    }
    return stored;
  }

  /** kubectl's refusal of an object whose namespace is not the one -n names. */
  private checkNamespace(object: KubeObject): void {
    const own = object.metadata.namespace;
    if (this.namespace && own && own !== this.namespace)
      throw new Error(
        `the namespace from the provided object "${own}" does not match the namespace "${this.namespace}". You must pass '--namespace=${own}' to perform this operation.`,
      );
  }

  /**
   * The batch passed a strict server dry run (this one's, or one started ahead of the deploy),
   * which answered with `stored`: what the apply would leave.
   */
  markValidated(objects: KubeObject[], stored: KubeObject[]): void {
    this.validated.set(JSON.stringify(objects), stored);
  }

  /** `kubectl create` (fails on objects that exist) or `replace` (fails on a stale resourceVersion). */
  async createOrReplace(
    verb: 'create' | 'replace',
    objects: KubeObject[],
  ): Promise<{ stored: KubeObject[]; refused: string }> {
    if (objects.length === 0) return { stored: [], refused: '' };
    if (this.api) return this.writeDirect(verb, objects);
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
    const result = await this.kubectl(
      [
        verb,
        '--filename',
        '-',
        '--output',
        'json',
        '--request-timeout',
        '10s',
        ...this.namespaceArgs(this.namespace),
      ],
      { input, allowFailure: true },
    );
    const stored = result.stdout.trim() === '' ? [] : parseKubectlJson(result.stdout);
    if (result.exitCode !== 0 && isTransportError(result.stderr)) {
      throw new KubectlError(`kubectl ${verb}`, result, true);
    }
    return { stored, refused: result.exitCode === 0 ? '' : result.stderr.trim() };
  }

  /** `createOrReplace` over the API: each object written; refusals collected, as kubectl does. */
  private async writeDirect(
    verb: 'create' | 'replace',
    objects: KubeObject[],
  ): Promise<{ stored: KubeObject[]; refused: string }> {
    const api = this.api!;
    const stored: KubeObject[] = [];
    const refused: string[] = [];
    for (const object of objects) {
      // Not retried: a create or replace the server may have stored would be refused the second
      // time, and the caller cannot tell that from another run's.
      const result = await this.direct(`${verb} ${objectRef(object)}`, () =>
        api.write(verb, object),
      );
      if (result.stored) stored.push(result.stored);
      if (result.refused) refused.push(result.refused.message);
    }
    return { stored, refused: refused.join('\n') };
  }

  private waitArgs(
    object: KubeObject,
    timeoutSeconds: number,
    watch: boolean,
  ): string[] | undefined {
    const timeout = ['--timeout', kubectlDuration(timeoutSeconds)];
    const ns = this.namespaceArgs(object.metadata.namespace ?? this.namespace);
    if (ROLLOUT_KINDS.includes(object.kind)) {
      return watch
        ? ['rollout', 'status', objectRef(object), '--watch', ...timeout, ...ns]
        : [
            'rollout',
            'status',
            objectRef(object),
            '--watch=false',
            '--request-timeout',
            '5s',
            ...ns,
          ];
    }
    const wait = watch ? timeout : ['--timeout', '0s', '--request-timeout', '5s'];
    if (object.kind === 'ReplicaSet') {
      const replicas = object.spec?.replicas ?? 1;
      return [
        'wait',
        objectRef(object),
        `--for=jsonpath={.status.readyReplicas}=${replicas}`,
        ...wait,
        ...ns,
      ];
    }
    if (object.kind === 'Pod') {
      return ['wait', objectRef(object), '--for=condition=Ready', ...wait, ...ns];
    }
    return undefined;
  }

  /**
   * Waits until a workload is rolled out (`kubectl rollout status`: observed generation,
   * updated and available replicas), a ReplicaSet has its ready replicas, or a Pod is Ready.
   * A connection that fails or breaks is retried until the deadline; when the wait runs out,
   * one last look decides, so an API outage at the end is never taken for a failed rollout.
   */
  async waitReady(
    object: KubeObject,
    timeoutSeconds: number,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    if (!this.waitArgs(object, 1, true)) {
      return { object, ready: true, message: `${objectRef(object)}: nothing to wait for` };
    }
    if (this.api && hasRolloutStatus(object.kind)) {
      core.debug(`API rollout status ${objectRef(object)}, timeout ${timeoutSeconds} s`);
      return this.waitDirect(object, deadline, signal);
    }
    let lastSeen: string | undefined;
    let unreachable = '';
    for (let attempt = 0; ; attempt++) {
      const remaining = (deadline - Date.now()) / 1000;
      if (remaining < 1) break;
      const result = await this.kubectl(this.waitArgs(object, remaining, true)!, {
        allowFailure: true,
        signal,
      });
      lastSeen = lastProgress(result.stdout) ?? lastSeen;
      if (signal?.aborted) {
        return cancelledWait(object, lastSeen);
      }
      if (result.exitCode === 0) {
        return { object, ready: true, message: tail(result.stdout, 3), lastSeen };
      }
      const text = result.stderr || result.stdout;
      if (isWaitTimeout(text)) break;
      if (!isTransportError(text))
        return { object, ready: false, message: tail(text, 3), lastSeen };
      if (unreachable === '')
        core.info(
          `${objectRef(object)}: the API server did not answer (${firstErrorLine(text)}); retrying until the rollout timeout`,
        );
      unreachable = firstErrorLine(text);
      await sleep(backoffMs(attempt), signal);
    }
    return this.lastLook(object, lastSeen, unreachable, signal);
  }

  /**
   * `waitReady` over the API. A watch on the workload hands over each change as it happens, and
   * its status is judged then, as `kubectl rollout status` judges each event; reads are the
   * fallback: every 50 ms for 3 s, then less often, up to once a second, while no watch is
   * handing changes over, and once a second while one is (a watch that stalls costs at most
   * that). When the deadline passes, one last read decides, retried while the server cannot
   * be reached.
   */
  private async waitDirect(
    object: KubeObject,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    const api = this.api!;
    const namespace = object.metadata.namespace ?? this.namespace;
    const watching = new AbortController();
    const changes = new WatchedChanges();
    void api
      .watch(
        object,
        namespace,
        (current) => changes.arrived(current),
        (deadline - Date.now()) / 1000,
        signal ? AbortSignal.any([signal, watching.signal]) : watching.signal,
      )
      .then(() => changes.ended());
    try {
      return await this.pollStatus(object, namespace, deadline, signal, changes);
    } finally {
      watching.abort();
    }
  }

  /** The judging half of waitDirect: each change the watch hands over, else a read. */
  private async pollStatus(
    object: KubeObject,
    namespace: string,
    deadline: number,
    signal: AbortSignal | undefined,
    changes: WatchedChanges,
  ): Promise<WaitResult> {
    const api = this.api!;
    let lastSeen: string | undefined;
    let unreachable = '';
    let pause = 50;
    const waitStarted = Date.now();
    for (;;) {
      const final = Date.now() >= deadline;
      const handed = changes.take();
      let current: KubeObject | undefined = final ? undefined : handed;
      let reached = true;
      if (!current) {
        try {
          current = await this.direct(
            `rollout status ${objectRef(object)}`,
            () => api.get(object, namespace, signal),
            final ? { retryUntil: Date.now() + FINAL_CHECK_MS, signal } : { signal },
          );
        } catch (err) {
          if (signal?.aborted) return cancelledWait(object, lastSeen);
          if (!(err instanceof KubectlError && err.transport))
            return { object, ready: false, message: errorText(err), lastSeen };
          if (unreachable === '' && !final)
            core.info(
              `${objectRef(object)}: the API server did not answer (${firstErrorLine(err.result.stderr)}); retrying until the rollout timeout`,
            );
          unreachable = firstErrorLine(err.result.stderr);
          reached = false;
          if (final) return unreachableWait(object, unreachable, lastSeen);
        }
      }
      if (reached && current === undefined)
        return { object, ready: false, message: `${objectRef(object)} not found`, lastSeen };
      if (current) {
        const status = rolloutStatus(current);
        if (status.done) return { object, ready: true, message: status.message, lastSeen };
        if (status.failed) return { object, ready: false, message: status.message, lastSeen };
        lastSeen = status.message;
        if (final)
          return { object, ready: false, message: `timed out; ${status.message}`, lastSeen };
      }
      // A change that came while this one was judged is judged at once.
      if (!changes.waiting) {
        const nap = changes.nap();
        await sleep(
          Math.min(changes.live ? WATCHED_READ_MS : pause, Math.max(0, deadline - Date.now())),
          signal ? AbortSignal.any([signal, nap]) : nap,
        );
      }
      if (signal?.aborted) return cancelledWait(object, lastSeen);
      // Quick rollouts (seconds) are seen as they finish; long ones are asked less often.
      if (Date.now() - waitStarted > 3000) pause = Math.min(1000, Math.round(pause * 1.5));
    }
  }

  /** The verdict once the wait has run out: kubectl's own status, read once (retried if unreachable). */
  private async lastLook(
    object: KubeObject,
    lastSeen: string | undefined,
    unreachable: string,
    signal?: AbortSignal,
  ): Promise<WaitResult> {
    const until = Date.now() + FINAL_CHECK_MS;
    const args = this.waitArgs(object, 0, false)!;
    for (let attempt = 0; ; attempt++) {
      const result = await this.kubectl(args, { allowFailure: true, signal });
      if (signal?.aborted) {
        return cancelledWait(object, lastSeen);
      }
      const text = result.stderr || result.stdout;
      if (result.exitCode === 0) {
        const status = tail(result.stdout, 1);
        // `rollout status --watch=false` exits 0 either way and says which.
        const ready =
          !ROLLOUT_KINDS.includes(object.kind) || /successfully rolled out/i.test(status);
        return {
          object,
          ready,
          message: ready ? status : `timed out; ${status}`,
          lastSeen: lastProgress(result.stdout) ?? lastSeen,
        };
      }
      if (!isTransportError(text)) {
        return { object, ready: false, message: tail(text, 3), lastSeen };
      }
      if (attempt === 0)
        core.info(
          `${objectRef(object)}: the API server did not answer (${firstErrorLine(text)}) as the rollout timeout ended; retrying for ${FINAL_CHECK_MS / 1000} s before giving a verdict`,
        );
      unreachable = firstErrorLine(text);
      const pause = backoffMs(attempt);
      if (Date.now() + pause >= until) break;
      await sleep(pause, signal);
    }
    return unreachableWait(object, unreachable, lastSeen);
  }

  /** Waits for all objects at once. */
  async waitAll(
    objects: KubeObject[],
    timeoutSeconds: number,
    signal?: AbortSignal,
  ): Promise<WaitResult[]> {
    const started = Date.now();
    try {
      return await Promise.all(
        objects.map((object) => this.waitReady(object, timeoutSeconds, signal)),
      );
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
      '--request-timeout',
      '10s',
      ...this.namespaceArgs(object.metadata.namespace ?? this.namespace),
    ];
    // Going to a named revision twice lands in the same place: safe to retry.
    if (revision) args.push(`--to-revision=${revision}`);
    await this.kubectl(args, revision ? { retryUntil: Date.now() + RETRY_MS } : {});
  }

  /** Deletes objects by kind and name, by namespace; missing ones are fine. */
  async delete(objects: KubeObject[]): Promise<void> {
    for (const [namespace, group] of byNamespace(
      objects,
      (o) => o.metadata.namespace ?? this.namespace,
    )) {
      for (const refs of chunks([...new Set(group.map(qualifiedRef))], REFS_PER_CALL)) {
        await this.kubectl(
          [
            'delete',
            ...refs,
            '--ignore-not-found',
            '--request-timeout',
            '20s',
            ...this.namespaceArgs(namespace),
          ],
          { retryUntil: Date.now() + RETRY_MS },
        );
      }
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

  /**
   * `kubectl annotate --overwrite` one object by kubectl reference (e.g. `namespace/web`), in
   * `namespace` when it is namespaced.
   */
  async annotate(
    ref: string,
    annotations: Record<string, string>,
    namespace?: string,
  ): Promise<void> {
    const pairs = Object.entries(annotations).map(([key, value]) => `${key}=${value}`);
    const where = namespace === undefined ? [] : this.namespaceArgs(namespace);
    await this.kubectl(['annotate', ref, ...pairs, '--overwrite', ...where], {
      retryUntil: Date.now() + RETRY_MS,
    });
  }

  /** Pods and events of a namespace, for diagnostics. */
  async podsAndEvents(namespace: string): Promise<{ pods: KubeObject[]; events: KubeObject[] }> {
    const result = await this.kubectl(
      [
        'get',
        'pods,events',
        '--output',
        'json',
        '--request-timeout',
        '10s',
        ...this.namespaceArgs(namespace),
      ],
      { allowFailure: true },
    );
    const items = result.exitCode === 0 ? parseKubectlJson(result.stdout) : [];
    return {
      pods: items.filter((item) => item.kind === 'Pod'),
      events: items.filter((item) => item.kind === 'Event'),
    };
  }
}

/** An API failure as kubectl would have printed it, for the messages built from kubectl's. */
function apiFailure(err: unknown): RunResult {
  const text =
    err instanceof ApiTransportError
      ? `Unable to connect to the server: ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  return { exitCode: 1, stdout: '', stderr: text };
}

function errorText(err: unknown): string {
  if (err instanceof KubectlError) return err.result.stderr;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** `deployment.apps/web`: kind and API group, so kubectl resolves the right resource. */
export function qualifiedRef(object: KubeObject): string {
  return `${object.kind.toLowerCase()}.${apiGroup(object)}/${object.metadata.name}`.replace(
    './',
    '/',
  );
}
