// A rollout wait over the API, against a stand-in API server on 127.0.0.1 that answers the
// Deployment's status in turn: the verdicts and lines a user reads in the log and summary.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { stringify } from 'yaml';
import { Kubectl } from '../../../src/stages/deploy/kubectl';
import type { KubeObject } from '../../../src/stages/deploy/model';

jest.setTimeout(30_000);

type Answer = { status: number; body: unknown };
let answers: Answer[] = [];
/** Watch events (one JSON line each), sent `gapMs` apart on a watch that then stays open. */
let events: { type: string; object: unknown }[] = [];
let gapMs = 100;
let reads = 0;
let server: http.Server;
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const send = (answer: Answer) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    };
    if (req.url === '/apis/apps/v1') {
      send({
        status: 200,
        body: { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] },
      });
    } else if (req.url === '/apis/apps/v1/namespaces/ns/deployments/web') {
      reads++;
      // The last answer repeats once the list is used up.
      send(answers.length > 1 ? answers.shift()! : answers[0]);
    } else if (
      req.url?.startsWith('/apis/apps/v1/namespaces/ns/deployments?watch=1') &&
      events.length > 0
    ) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pending = [...events];
      const next = () => {
        const event = pending.shift();
        if (!event) return;
        res.write(`${JSON.stringify(event)}\n`);
        setTimeout(next, gapMs);
      };
      next();
      req.on('close', () => pending.splice(0));
    } else {
      send({ status: 404, body: { kind: 'Status', message: 'no such path', reason: 'NotFound' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const kubeconfig = () =>
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'test',
    clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
    users: [{ name: 'u', user: { token: 'test-token-123' } }],
    contexts: [{ name: 'test', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
  });

const web: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns' },
};
const deployment = (status: Record<string, unknown>, generation = 2): Answer => ({
  status: 200,
  body: { ...web, metadata: { ...web.metadata, generation }, spec: { replicas: 2 }, status },
});
const updating = deployment({
  observedGeneration: 2,
  updatedReplicas: 2,
  replicas: 2,
  availableReplicas: 1,
});
const done = deployment({
  observedGeneration: 2,
  updatedReplicas: 2,
  replicas: 2,
  availableReplicas: 2,
});

async function wait(timeoutSeconds: number) {
  const kube = new Kubectl('ns', kubeconfig());
  try {
    const [result] = await kube.waitAll([web], timeoutSeconds);
    return { ...result, kubectl: kube.calls, requests: kube.requests };
  } finally {
    kube.dispose();
  }
}

beforeEach(() => {
  events = [];
  gapMs = 100;
  reads = 0;
});

describe('waiting for a rollout over the API', () => {
  it('follows the status until the rollout is done, without kubectl', async () => {
    answers = [deployment({ observedGeneration: 1 }), updating, done];
    const result = await wait(10);
    expect(result).toMatchObject({
      ready: true,
      message: 'deployment "web" successfully rolled out',
      lastSeen:
        'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
      kubectl: 0,
    });
  });

  it('judges each change the watch hands over, as kubectl rollout status does, without reading again', async () => {
    // Reads would say it is still rolling out; the watch says when it is done.
    answers = [updating];
    events = [
      { type: 'ADDED', object: updating.body },
      { type: 'MODIFIED', object: updating.body },
      { type: 'MODIFIED', object: done.body },
    ];
    const started = Date.now();
    const result = await wait(10);
    expect(result).toMatchObject({
      ready: true,
      message: 'deployment "web" successfully rolled out',
    });
    expect(Date.now() - started).toBeLessThan(900);
    // The first read, made before the watch has answered; then none.
    expect(reads).toBeLessThanOrEqual(1);
  });

  it('reads again when a watch event does not carry the workload', async () => {
    answers = [updating, done];
    gapMs = 50;
    events = [
      { type: 'ADDED', object: updating.body },
      { type: 'ERROR', object: { kind: 'Status', message: 'too old resource version' } },
    ];
    const result = await wait(10);
    expect(result).toMatchObject({ ready: true });
    expect(reads).toBe(2);
  });

  it('gives a timed-out verdict with the last status when the deadline passes', async () => {
    answers = [updating];
    const result = await wait(1);
    expect(result.ready).toBe(false);
    expect(result.unreachable).toBeUndefined();
    expect(result.message).toBe(
      'timed out; Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    );
  });

  it('stops at once on a progress deadline the Deployment reports', async () => {
    answers = [
      deployment({
        observedGeneration: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      }),
    ];
    const started = Date.now();
    const result = await wait(20);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({
      ready: false,
      message: 'deployment "web" exceeded its progress deadline',
    });
  });

  it('says the workload is gone when it is not found', async () => {
    answers = [{ status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'not found' } }];
    expect(await wait(5)).toMatchObject({ ready: false, message: 'deployment/web not found' });
  });

  it('waits through 503 answers, then takes the verdict once the server answers', async () => {
    const unavailable = {
      status: 503,
      body: { kind: 'Status', reason: 'ServiceUnavailable', message: 'etcd leader changed' },
    };
    answers = [unavailable, unavailable, done];
    expect(await wait(10)).toMatchObject({ ready: true });
  });

  it('has no verdict when the server still does not answer as the timeout ends', async () => {
    answers = [
      updating,
      { status: 503, body: { kind: 'Status', reason: 'ServiceUnavailable', message: 'down' } },
    ];
    const result = await wait(1);
    expect(result).toMatchObject({
      ready: false,
      unreachable: true,
      lastSeen:
        'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    });
    expect(result.message).toMatch(
      /^the Kubernetes API server could not be reached when the rollout timeout ended \(.*503/,
    );
  });
});
