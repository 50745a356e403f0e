// Requests to the Kubernetes API server over one kept-alive TLS connection pool (node:https, as
// kubectl would: the kubeconfig's CA, client certificate or token). The only file that opens a
// connection to the cluster without kubectl.
import * as http from 'http';
import * as https from 'https';
import { createSecureContext } from 'tls';
import type { ApiTarget } from './config';

export interface ApiResponse {
  status: number;
  body: string;
}

/** The API server could not be reached, the connection broke, or it answered 5xx/429. */
export class ApiTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiTransportError';
  }
}

/** How long one request may go without an answer (kubectl's --request-timeout for reads). */
const REQUEST_TIMEOUT_MS = 10_000;

export class ApiHttp {
  /** Requests sent so far, for the benchmark's line. */
  requests = 0;
  private pool: http.Agent | undefined;
  private readonly base: URL;

  constructor(private readonly target: ApiTarget) {
    this.base = new URL(target.server);
  }

  /**
   * The connection pool, made on the first request: making it loads Node's TLS and parses the
   * CA and the key, work a deploy prepared ahead need not do before the build has started.
   */
  private get agent(): http.Agent {
    this.pool ??=
      this.base.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            // One context for every connection: otherwise each one parses the CA and the key again.
            secureContext: createSecureContext({
              ca: this.target.ca,
              cert: this.target.cert,
              key: this.target.key,
            }),
            rejectUnauthorized: !this.target.insecure,
            servername: this.target.serverName,
          })
        : new http.Agent({ keepAlive: true });
    return this.pool;
  }

  /** A request's URL, its headers (credentials included) and the function that sends it. */
  private prepare(path: string) {
    this.requests++;
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (this.target.authorization) headers.authorization = this.target.authorization;
    const send = url.protocol === 'https:' ? https.request : http.request;
    return { url, headers, send };
  }

  /** Closes the kept-alive connections, so they never hold the process open. */
  dispose(): void {
    this.pool?.destroy();
  }

  /**
   * One request; `path` starts with `/` and is appended to the server URL (which may have a
   * path prefix). Transport failures and 5xx/429 answers throw ApiTransportError.
   */
  request(
    method: string,
    path: string,
    options: { body?: string; contentType?: string; signal?: AbortSignal } = {},
  ): Promise<ApiResponse> {
    const { url, headers, send } = this.prepare(path);
    if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    return new Promise<ApiResponse>((resolve, reject) => {
      const req = send(
        url,
        { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS, signal: options.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) =>
            reject(new ApiTransportError(`${method} ${path}: ${err.message}`)),
          );
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks).toString('utf8');
            if (isTransportAnswer(status, body)) {
              reject(
                new ApiTransportError(
                  `${method} ${path}: the server answered ${status}: ${statusMessage(body)}`,
                ),
              );
            } else {
              resolve({ status, body });
            }
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      );
      req.on('error', (err) => {
        if (options.signal?.aborted) reject(err);
        else reject(new ApiTransportError(`${method} ${path}: ${err.message}`));
      });
      req.end(options.body);
    });
  }

  /**
   * A watch (`?watch=1`): calls `onEvent` for each change the server streams, until the server
   * ends it (its timeoutSeconds), the connection breaks or `signal` aborts; resolves then, never
   * rejects (a watch here only hurries what polling would see anyway).
   */
  stream(
    path: string,
    onEvent: (event: WatchEvent | undefined) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { url, headers, send } = this.prepare(path);
    return new Promise<void>((resolve) => {
      const req = send(url, { method: 'GET', headers, agent: this.agent, signal }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return resolve();
        }
        // One JSON event per line; a line that does not parse still says something changed.
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop()!;
          for (const line of lines) if (line.trim() !== '') onEvent(parseEvent(line));
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
    });
  }
}

/** A watch event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and the object it is about. */
export interface WatchEvent {
  type: string;
  object: unknown;
}

function parseEvent(line: string): WatchEvent | undefined {
  try {
    const event = JSON.parse(line) as Partial<WatchEvent>;
    return typeof event.type === 'string' ? { type: event.type, object: event.object } : undefined;
  } catch {
    return undefined;
  }
}

// Status reasons that say the server could not do the request now, rather than that the
// request is wrong: kubectl's own output with these is taken as "not reached" too.
const RETRYABLE_REASONS = new Set([
  'InternalError',
  'ServiceUnavailable',
  'Timeout',
  'TooManyRequests',
  'ServerTimeout',
]);

/**
 * A 429 or 5xx is a verdict when the server explains it in a Status without a retryable reason
 * (a server-side apply of a field the schema lacks answers 500 with the field's name).
 */
export function isTransportAnswer(status: number, body: string): boolean {
  if (status < 500 && status !== 429) return false;
  try {
    const parsed = JSON.parse(body) as { kind?: string; reason?: string; message?: string };
    if (parsed.kind === 'Status' && typeof parsed.message === 'string' && parsed.message !== '')
      return RETRYABLE_REASONS.has(parsed.reason ?? '') || status === 429;
  } catch {
    // Not a Status: a proxy or a server that is starting or stopping.
  }
  return true;
}

/** The message of a Kubernetes Status answer, else the body's first line. */
export function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: string };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // Not JSON: the text itself says what happened.
  }
  return body.split('\n')[0].slice(0, 300);
}
