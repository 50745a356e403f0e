// The `fetch` Octokit calls, made with the toolkit's HttpClient (node:http, proxy-aware through
// the runner's https_proxy/no_proxy) instead of Node's own fetch. Node's fetch parses responses
// with a WebAssembly HTTP parser whose background compilation the process waits for on exit:
// about a third of a meta-stage run on a 2-core runner, for a single API request.
// Only the part of the fetch contract @octokit/request reads is provided.
import { HttpClient } from '@actions/http-client';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'http';

export interface FetchInit {
  method?: string;
  body?: string | null;
  headers?: Record<string, string | number | undefined>;
}

export class ResponseHeaders implements Iterable<[string, string]> {
  private readonly values = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      // Repeated headers are joined the way the Fetch standard's Headers joins them.
      this.values.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.values.entries();
  }
}

export interface FetchResponse {
  url: string;
  status: number;
  statusText: string;
  ok: boolean;
  headers: ResponseHeaders;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>;

/**
 * `timeoutSeconds` bounds how long the socket may sit idle (connecting, or waiting for a byte);
 * without it the toolkit's three minutes apply.
 */
export function httpFetch(options: { timeoutSeconds?: number } = {}): Fetch {
  // No user agent of its own, so Octokit's header is sent; no keep-alive, so an idle socket
  // never holds the process open.
  const client = new HttpClient(
    undefined,
    undefined,
    options.timeoutSeconds === undefined
      ? undefined
      : { socketTimeout: Math.max(1, Math.round(options.timeoutSeconds * 1000)) },
  );
  return async (url, init = {}) => {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (value !== undefined) headers[name] = value;
    }
    const response = await client.request(init.method ?? 'GET', url, init.body ?? null, headers);
    const status = response.message.statusCode ?? 0;
    let body: Promise<Buffer> | undefined;
    const read = () => (body ??= readAll(response.message));
    return {
      // HttpClient follows redirects itself; the URL asked for is the one reported.
      url,
      status,
      statusText: response.message.statusMessage ?? '',
      ok: status >= 200 && status < 300,
      headers: new ResponseHeaders(response.message.headers),
      text: async () => (await read()).toString('utf8'),
      json: async () => JSON.parse((await read()).toString('utf8')) as unknown,
      arrayBuffer: async () => {
        const bytes = await read();
        return bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ) as ArrayBuffer;
      },
    };
  };
}

// Not the toolkit's `readBodyBuffer`: it never settles when the connection breaks mid-body, and a
// promise nothing settles lets the process end quietly with the API call unanswered.
function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
