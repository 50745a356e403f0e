// The deploy's small requests straight to the API server: reading objects, creating and
// replacing leases, reading a workload's rollout status, and server-side apply. Each would
// otherwise start a kubectl process (0.05–0.5 s on a busy 2-core runner) for a request the
// server answers in milliseconds. Answers are told apart the way kubectl tells them: absent,
// refused (a verdict), or not reached (ApiTransportError: try again).
import type { KubeObject } from '../model';
import type { ApiTarget } from './config';
import { ApiHttp, statusMessage } from './http';
import { objectPath, Resources } from './resources';

/** An answer that is a verdict: the server understood the request and said no. */
export class ApiRefusal extends Error {
  constructor(
    /** The Status reason, e.g. `Conflict` for a replace at an outdated resourceVersion. */
    readonly reason: string,
    message: string,
  ) {
    super(`Error from server${reason ? ` (${reason})` : ''}: ${message}`);
    this.name = 'ApiRefusal';
  }
}

function refusal(status: number, body: string): ApiRefusal {
  let reason = status === 404 ? 'NotFound' : '';
  try {
    const parsed = JSON.parse(body) as { reason?: string };
    if (typeof parsed.reason === 'string' && parsed.reason !== '') reason = parsed.reason;
  } catch {
    // Not a Status object: the message is the body's first line.
  }
  return new ApiRefusal(reason, statusMessage(body));
}

/** The object as sent: a namespaced one names its namespace, as kubectl's -n would set it. */
function withNamespace(object: KubeObject, namespaced: boolean, namespace: string): KubeObject {
  return namespaced ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

export interface ApplyRequest {
  force: boolean;
  dryRun: boolean;
}

export class KubeApi {
  private readonly http: ApiHttp;
  private readonly resources: Resources;
  private readonly contextNamespace: string;

  /** `namespace` is the one objects without their own land in ('' = the context's). */
  constructor(
    target: ApiTarget,
    private readonly namespace: string,
  ) {
    this.http = new ApiHttp(target);
    this.resources = new Resources(this.http);
    this.contextNamespace = target.namespace;
  }

  get requests(): number {
    return this.http.requests;
  }

  dispose(): void {
    this.http.dispose();
  }

  /**
   * Reads the discovery documents of these objects' kinds now (which also opens the
   * connections), so the requests that count later need neither. Best effort: a failure here
   * is met again, and reported, by the request that needs the answer.
   */
  async warm(objects: KubeObject[]): Promise<void> {
    await Promise.all([
      ...objects.map((object) => this.resources.of(object).catch(() => undefined)),
      this.serverMinor().catch(() => undefined),
    ]);
  }

  private minor: Promise<number> | undefined;

  /** The server's minor version (`/version`: "36", or "36+" from some distributions), asked once. */
  serverMinor(): Promise<number> {
    if (!this.minor) {
      const asked = this.http.request('GET', '/version').then((response) => {
        if (response.status !== 200) throw refusal(response.status, response.body);
        const minor = Number.parseInt(
          (JSON.parse(response.body) as { minor?: string }).minor ?? '',
          10,
        );
        if (Number.isNaN(minor))
          throw new Error(`/version names no minor version: ${response.body}`);
        return minor;
      });
      // A failed read is asked again next time, not remembered.
      asked.catch(() => (this.minor = undefined));
      this.minor = asked;
    }
    return this.minor;
  }

  /** Where an object lands: its own namespace, else the given one, else the context's. */
  private namespaceFor(object: KubeObject, namespace?: string): string {
    return object.metadata.namespace || namespace || this.namespace || this.contextNamespace;
  }

  /** The object as stored, or undefined when it does not exist. */
  async get(
    object: KubeObject,
    namespace?: string,
    signal?: AbortSignal,
  ): Promise<KubeObject | undefined> {
    const resource = await this.resources.of(object);
    const where = this.namespaceFor(object, namespace);
    const response = await this.http.request(
      'GET',
      objectPath(resource, where, object.metadata.name),
      { signal },
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw refusal(response.status, response.body);
    return JSON.parse(response.body) as KubeObject;
  }

  /**
   * Creates (`create`) or replaces at its resourceVersion (`replace`); a refusal is returned.
   * `query` adds request parameters (the field manager the write is recorded under).
   */
  async write(
    verb: 'create' | 'replace',
    object: KubeObject,
    query?: Record<string, string>,
  ): Promise<{ stored?: KubeObject; refused?: ApiRefusal }> {
    const resource = await this.resources.of(object);
    const namespace = this.namespaceFor(object);
    const body = JSON.stringify(withNamespace(object, resource.namespaced, namespace));
    const where = objectPath(
      resource,
      namespace,
      verb === 'replace' ? object.metadata.name : undefined,
    );
    const response = await this.http.request(
      verb === 'create' ? 'POST' : 'PUT',
      query ? `${where}?${new URLSearchParams(query)}` : where,
      { body },
    );
    if (response.status === 200 || response.status === 201)
      return { stored: JSON.parse(response.body) as KubeObject };
    return { refused: refusal(response.status, response.body) };
  }

  /** Whether a replace of the object leaves its status as stored (a status subresource). */
  async statusApart(object: KubeObject): Promise<boolean> {
    return (await this.resources.of(object)).statusApart;
  }

  /**
   * Calls `onChange` whenever the object changes (a watch on its name), with the object as the
   * change left it (the first call: as it is now), or with nothing when the event does not
   * carry it (deleted, an error), for up to `timeoutSeconds` or until `signal` aborts. Best
   * effort: it never fails; it resolves when the watch ends.
   */
  async watch(
    object: KubeObject,
    namespace: string | undefined,
    onChange: (current: KubeObject | undefined) => void,
    timeoutSeconds: number,
    signal: AbortSignal,
  ): Promise<void> {
    const resource = await this.resources.of(object).catch(() => undefined);
    if (!resource || signal.aborted) return;
    const query = new URLSearchParams({
      watch: '1',
      fieldSelector: `metadata.name=${object.metadata.name}`,
      timeoutSeconds: String(Math.max(1, Math.ceil(timeoutSeconds))),
    });
    const where = objectPath(resource, this.namespaceFor(object, namespace));
    await this.http.stream(
      `${where}?${query}`,
      (event) => {
        const current = event?.object as KubeObject | undefined;
        const same =
          (event?.type === 'ADDED' || event?.type === 'MODIFIED') &&
          current?.kind === object.kind &&
          current.metadata?.name === object.metadata.name;
        onChange(same ? current : undefined);
      },
      signal,
    );
  }

  /** Server-side apply of one object (field manager `manager`); returns it as stored. */
  async apply(object: KubeObject, manager: string, request: ApplyRequest): Promise<KubeObject> {
    const resource = await this.resources.of(object);
    const namespace = this.namespaceFor(object);
    const body = JSON.stringify(withNamespace(object, resource.namespaced, namespace));
    const query = new URLSearchParams({ fieldManager: manager, fieldValidation: 'Strict' });
    if (request.force) query.set('force', 'true');
    if (request.dryRun) query.set('dryRun', 'All');
    const response = await this.http.request(
      'PATCH',
      `${objectPath(resource, namespace, object.metadata.name)}?${query}`,
      { body, contentType: 'application/apply-patch+yaml' },
    );
    if (response.status === 200 || response.status === 201)
      return JSON.parse(response.body) as KubeObject;
    throw refusal(response.status, response.body);
  }
}
