// One evaluation end to end against local stand-ins for Prometheus and a webhook: the filled
// queries reach Prometheus, the baseline is asked the same query over its own pods, and an
// outage fails each check rather than passing it.
import { httpFetch } from '../../../src/lib/http-fetch';
import { evaluateChecks } from '../../../src/stages/deploy/analysis/evaluate';
import { parseAnalysisSpec } from '../../../src/stages/deploy/analysis/spec';
import { helloFacts } from './fixtures';
import { closedUrl, fakeServer, type FakeServer } from './fake-server';

let prom: FakeServer;
let hook: FakeServer;
beforeAll(async () => {
  prom = await fakeServer();
  hook = await fakeServer();
});
afterAll(async () => {
  await prom.close();
  await hook.close();
});
beforeEach(() => {
  prom.seen.length = 0;
  hook.seen.length = 0;
});

const facts = helloFacts;
const answer = (value: string) => ({
  status: 200,
  body: JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
  }),
});

it('asks the canary and the baseline the same query over their own pods', async () => {
  // The canary answers 5 % of requests with a 5xx, the baseline none.
  prom.answer = (seen) => {
    const query = seen.url.searchParams.get('query') ?? '';
    if (query.startsWith('histogram_quantile')) return answer('0.12');
    return answer(query.includes('hello-go-canary-') ? '95' : '100');
  };
  hook.answer = () => ({ status: 200, body: '' });
  const spec = parseAnalysisSpec({
    queries: '- name: success-rate\n- name: latency-p95\n  max: 500ms\n',
    prometheusUrl: prom.base,
    webhook: `${hook.base}/judge`,
    baseline: true,
  });
  const measurements = await evaluateChecks({ spec, facts, timeoutSeconds: 5, fetch: httpFetch() });

  expect(measurements.map((m) => [m.check, m.passed, m.canary, m.baseline])).toEqual([
    ['success-rate', false, 95, 100],
    ['latency-p95', true, 0.12, 0.12],
    ['webhook', true, undefined, undefined],
  ]);
  const queries = prom.seen.map((s) => s.url.searchParams.get('query'));
  expect(queries[0]).toBe(
    '100 * sum(rate(http_requests_total{ namespace="shop",pod=~"hello-go-canary-[a-z0-9]+-[a-z0-9]+",code!~"5.." }[1m])) / sum(rate(http_requests_total{ namespace="shop",pod=~"hello-go-canary-[a-z0-9]+-[a-z0-9]+" }[1m]))',
  );
  expect(queries[1]).toBe(queries[0]!.replace(/hello-go-canary-/g, 'hello-go-baseline-'));
  expect(hook.seen).toHaveLength(1);
});

it('a Prometheus outage fails every Prometheus check', async () => {
  const spec = parseAnalysisSpec({
    queries: '- name: success-rate\n  min: 99\n- name: latency-p95\n  max: 500ms\n',
    prometheusUrl: await closedUrl(),
    webhook: '',
    baseline: false,
  });
  const measurements = await evaluateChecks({ spec, facts, timeoutSeconds: 2, fetch: httpFetch() });
  expect(measurements).toEqual([
    expect.objectContaining({
      check: 'success-rate',
      passed: false,
      detail: expect.stringContaining('Prometheus did not answer'),
    }),
    expect.objectContaining({
      check: 'latency-p95',
      passed: false,
      detail: expect.stringContaining('Prometheus did not answer'),
    }),
  ]);
});
