// A local stand-in for the GitHub REST API on 127.0.0.1: records every request and answers
// from routes the test registers. GITHUB_API_URL points the action at it.
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are JSON
  body: any;
}

export interface StubResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: RecordedRequest) => StubResponse;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/** `/repos/:owner/:repo` -> a RegExp with named segments. */
function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

export class GitHubApiStub {
  readonly requests: RecordedRequest[] = [];
  private routes: Route[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<GitHubApiStub> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const stub = new GitHubApiStub(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => stub.handle(req, res));
    stub.route('GET', '/repos/:owner/:repo', (req) => ({
      body: defaultRepository(req.params.owner, req.params.repo),
    }));
    return stub;
  }

  /** Register a route; later registrations win over earlier ones for the same path. */
  route(method: string, path: string, handler: Handler): void {
    this.routes.unshift({ method: method.toUpperCase(), ...compile(path), handler });
  }

  /** Requests matching a method and path pattern (e.g. 'POST', '/repos/:o/:r/deployments'). */
  calls(method: string, path: string): RecordedRequest[] {
    const { pattern } = compile(path);
    return this.requests.filter((r) => r.method === method.toUpperCase() && pattern.test(r.path));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        params: {},
        headers: req.headers,
        body: text ? safeJson(text) : undefined,
      };
      this.requests.push(recorded);
      const route = this.routes.find(
        (r) => r.method === recorded.method && r.pattern.test(recorded.path),
      );
      let response: StubResponse = { status: 404, body: { message: 'Not Found' } };
      if (route) {
        const match = route.pattern.exec(recorded.path)!;
        route.names.forEach(
          (name, i) => (recorded.params[name] = decodeURIComponent(match[i + 1])),
        );
        try {
          response = route.handler(recorded);
        } catch (err) {
          response = { status: 500, body: { message: String(err) } };
        }
      }
      res.writeHead(response.status ?? 200, {
        'content-type': 'application/json',
        ...response.headers,
      });
      res.end(response.body === undefined ? '' : JSON.stringify(response.body));
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function defaultRepository(owner: string, repo: string): Record<string, unknown> {
  return {
    id: 1296269,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { login: owner },
    html_url: `https://github.com/${owner}/${repo}`,
    description: 'A sample service shipped with Gantry',
    default_branch: 'main',
    license: { key: 'mit', spdx_id: 'MIT', name: 'MIT License' },
    topics: [],
  };
}
