// A local HTTP server on 127.0.0.1 for the providers' tests: answers by a handler, records what
// it was sent, and can hold a request unanswered (for timeouts).
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; body: string } | 'hang';

export interface FakeServer {
  base: string;
  seen: Seen[];
  answer: (seen: Seen) => Answer;
  close(): Promise<void>;
}

export async function fakeServer(): Promise<FakeServer> {
  const fake: FakeServer = {
    base: '',
    seen: [],
    answer: () => ({ status: 404, body: '' }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', fake.base),
        headers: req.headers,
        body,
      };
      fake.seen.push(seen);
      const answer = fake.answer(seen);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A URL on 127.0.0.1 where nothing listens (a port just freed). */
export async function closedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
