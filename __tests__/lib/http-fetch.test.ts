// Octokit's requests go through httpFetch (node:http) instead of Node's fetch; what Octokit reads
// of a response must come through unchanged. A local server on 127.0.0.1 answers.
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Context } from '../../src/context';
import { githubClient } from '../../src/lib/github';
import { httpFetch } from '../../src/lib/http-fetch';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/moved') {
        // The API redirects renamed repositories with an absolute URL.
        res.writeHead(301, { location: `${base}/repos/acme/app` }).end();
      } else if (req.url === '/repos/acme/app') {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'x-ratelimit-remaining': '59',
        });
        res.end(JSON.stringify({ full_name: 'acme/app', license: { spdx_id: 'MIT' } }));
      } else if (req.url === '/cut') {
        // Promises 100 bytes, sends 9, then drops the connection.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"partial');
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url === '/plain') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('héllo');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Not Found' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (seen.length = 0));

describe('httpFetch', () => {
  const fetch = httpFetch();

  it('gives status, headers and the JSON body', async () => {
    const response = await fetch(`${base}/repos/acme/app`);
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'x-ratelimit-remaining': '59',
      'set-cookie': 'a=1, b=2',
    });
    expect(await response.json()).toEqual({ full_name: 'acme/app', license: { spdx_id: 'MIT' } });
    // Octokit falls back to text() when json() fails: the body can be read again.
    expect(await response.text()).toContain('"acme/app"');
  });

  it('sends the method, headers and body it is given, and no user agent of its own', async () => {
    await fetch(`${base}/repos/acme/app/issues/7/comments`, {
      method: 'POST',
      body: '{"body":"hi"}',
      headers: {
        'user-agent': 'octokit-test',
        'content-type': 'application/json',
        absent: undefined,
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/repos/acme/app/issues/7/comments',
      body: '{"body":"hi"}',
      headers: { 'user-agent': 'octokit-test', 'content-type': 'application/json' },
    });
    expect(seen[0].headers).not.toHaveProperty('absent');
  });

  it('reports an error status instead of throwing', async () => {
    const response = await fetch(`${base}/nothing`);
    expect([response.status, response.ok]).toEqual([404, false]);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('follows redirects', async () => {
    const response = await fetch(`${base}/moved`);
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/moved', '/repos/acme/app']);
  });

  it('fails reading a body the server broke off, instead of waiting forever', async () => {
    const response = await fetch(`${base}/cut`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow(/aborted|reset|socket hang up/i);
  });

  it('reads text and bytes as UTF-8', async () => {
    expect(await (await fetch(`${base}/plain`)).text()).toBe('héllo');
    const bytes = await (await fetch(`${base}/plain`)).arrayBuffer();
    expect(Buffer.from(bytes).toString('utf8')).toBe('héllo');
  });
});

describe('githubClient over httpFetch', () => {
  const client = () => githubClient('ghs_secretToken', { apiUrl: base } as Context);

  it('returns parsed data and headers, authenticated', async () => {
    const { data, headers, status } = await client().rest.repos.get({ owner: 'acme', repo: 'app' });
    expect(status).toBe(200);
    expect(data.full_name).toBe('acme/app');
    expect(headers['x-ratelimit-remaining']).toBe('59');
    expect(seen[0].headers.authorization).toBe('token ghs_secretToken');
    expect(seen[0].headers['user-agent']).toMatch(/octokit/);
  });

  it('turns an error status into a RequestError with the API message', async () => {
    await expect(client().rest.repos.get({ owner: 'acme', repo: 'gone' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('Not Found'),
    });
  });
});
