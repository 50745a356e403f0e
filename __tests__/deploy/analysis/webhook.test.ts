// The webhook provider: a JSON POST naming the rollout; 2xx passes, anything else fails,
// including no answer within the timeout.
import { httpFetch } from '../../../src/lib/http-fetch';
import type { MeasureRequest } from '../../../src/stages/deploy/analysis/model';
import { podSelectors } from '../../../src/stages/deploy/analysis/selectors';
import { webhookProvider } from '../../../src/stages/deploy/analysis/webhook';
import { closedUrl, fakeServer, type FakeServer } from './fake-server';

let hook: FakeServer;
beforeAll(async () => (hook = await fakeServer()));
afterAll(() => hook.close());
beforeEach(() => (hook.seen.length = 0));

const selectors = podSelectors('shop', [{ kind: 'Deployment', name: 'hello-go' }]);
const request = (url: string, timeoutSeconds = 5): MeasureRequest => ({
  url,
  query: '',
  check: 'webhook',
  timeoutSeconds,
  facts: { rollout: 'Deployment/hello-go', namespace: 'shop', step: 2, weight: 25, selectors },
});

it('POSTs JSON naming the rollout, step, weight, namespace and the pod selectors', async () => {
  hook.answer = () => ({ status: 200, body: '{"ok":true}' });
  const reading = await webhookProvider.measure(request(`${hook.base}/judge`), httpFetch());
  expect(reading).toEqual({ kind: 'passed', detail: 'HTTP 200: {"ok":true}' });
  expect(hook.seen[0].method).toBe('POST');
  expect(hook.seen[0].url.pathname).toBe('/judge');
  expect(hook.seen[0].headers['content-type']).toBe('application/json');
  expect(JSON.parse(hook.seen[0].body)).toEqual({
    check: 'webhook',
    rollout: 'Deployment/hello-go',
    namespace: 'shop',
    step: 2,
    weight: 25,
    selectors: {
      canary: 'namespace="shop",pod=~"hello-go-canary-[a-z0-9]+-[a-z0-9]+"',
      stable: 'namespace="shop",pod=~"hello-go-[a-z0-9]+-[a-z0-9]+"',
      baseline: 'namespace="shop",pod=~"hello-go-baseline-[a-z0-9]+-[a-z0-9]+"',
    },
  });
});

it.each([
  [204, '', { kind: 'passed', detail: 'HTTP 204' }],
  [299, 'fine', { kind: 'passed', detail: 'HTTP 299: fine' }],
  [301, '', { kind: 'failed', reason: 'webhook answered HTTP 301' }],
  [409, 'error rate 4 %', { kind: 'failed', reason: 'webhook answered HTTP 409: error rate 4 %' }],
  [500, 'boom', { kind: 'failed', reason: 'webhook answered HTTP 500: boom' }],
])('HTTP %i -> %j', async (status, body, reading) => {
  hook.answer = () => ({ status, body });
  expect(await webhookProvider.measure(request(hook.base), httpFetch())).toEqual(reading);
});

it('no answer within the timeout fails', async () => {
  hook.answer = () => 'hang';
  const reading = await webhookProvider.measure(request(hook.base, 0.3), httpFetch());
  expect(reading).toMatchObject({
    kind: 'failed',
    reason: expect.stringContaining('webhook did not answer'),
  });
});

it('an unreachable webhook fails', async () => {
  const reading = await webhookProvider.measure(request(await closedUrl()), httpFetch());
  expect(reading).toMatchObject({
    kind: 'failed',
    reason: expect.stringContaining('ECONNREFUSED'),
  });
});
