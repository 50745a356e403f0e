// A stand-in for an analysis webhook (`analysis-webhook`): an HTTP server on this machine that
// records each question Gantry asks (which step, at which weight) and answers as told.
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface JudgeCall {
  step: number;
  weight: number;
}

export interface Judge {
  /** The `analysis-webhook` value. */
  url: string;
  calls: JudgeCall[];
  stop(): Promise<void>;
}

/** `verdict` picks the answer to each call: its status and body (default: 200, `{"ok":true}`). */
export async function startJudge(
  verdict: (call: JudgeCall) => { status: number; body: string } = () => ({
    status: 200,
    body: '{"ok":true}',
  }),
): Promise<Judge> {
  const calls: JudgeCall[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { step, weight } = JSON.parse(body) as JudgeCall;
      calls.push({ step, weight });
      const answer = verdict({ step, weight });
      const type = answer.body.startsWith('{') ? 'application/json' : 'text/plain';
      res.writeHead(answer.status, { 'content-type': type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/judge`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
