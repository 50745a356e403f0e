// The Prometheus provider: an instant query over HTTP, one number per reading; no series, NaN,
// an error answer, a non-2xx status or no answer at all each fail the measurement.
import { httpFetch } from '../../../src/lib/http-fetch';
import type { MeasureRequest } from '../../../src/stages/deploy/analysis/model';
import {
  prometheusProvider,
  queryUrl,
  readPrometheusAnswer,
} from '../../../src/stages/deploy/analysis/prometheus';
import { helloFacts } from './fixtures';
import { closedUrl, fakeServer, type FakeServer } from './fake-server';

const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((value, i) => ({ metric: { pod: `p${i}` }, value: [1700000000, value] })),
    },
  });

describe('readPrometheusAnswer', () => {
  it.each([
    ['one series', 200, vector('99.5'), { kind: 'value', value: 99.5 }],
    [
      'a scalar',
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '0.25'] } }),
      { kind: 'value', value: 0.25 },
    ],
    [
      '+Inf (all requests beyond the last bucket) is a value',
      200,
      vector('+Inf'),
      { kind: 'value', value: Infinity },
    ],
    ['zero is a value', 200, vector('0'), { kind: 'value', value: 0 }],
    [
      'no series',
      200,
      vector(),
      { kind: 'failed', reason: expect.stringContaining('no data'), noData: true },
    ],
    [
      'NaN (0/0: no traffic)',
      200,
      vector('NaN'),
      { kind: 'failed', reason: expect.stringContaining('no data'), noData: true },
    ],
    [
      'two series',
      200,
      vector('1', '2'),
      { kind: 'failed', reason: expect.stringContaining('2 series') },
    ],
    [
      'a range vector',
      200,
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
      { kind: 'failed', reason: expect.stringContaining('matrix') },
    ],
    [
      'a bad query',
      400,
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }),
      { kind: 'failed', reason: 'Prometheus answered HTTP 400 (bad_data: parse error at char 5)' },
    ],
    [
      'a proxy error page',
      502,
      '<html>Bad Gateway</html>',
      { kind: 'failed', reason: 'Prometheus answered HTTP 502 (<html>Bad Gateway</html>)' },
    ],
    [
      'status error with 200',
      200,
      JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }),
      { kind: 'failed', reason: 'Prometheus: timeout: query timed out' },
    ],
    ['not JSON', 200, 'ok', { kind: 'failed', reason: expect.stringContaining('no JSON') }],
  ])('%s', (_, status, body, reading) => {
    expect(readPrometheusAnswer(status, body)).toEqual(reading);
  });
});

describe('queryUrl', () => {
  it.each([
    ['http://prom:9090', 'http://prom:9090/api/v1/query?query=up&timeout=10s'],
    ['http://prom:9090/', 'http://prom:9090/api/v1/query?query=up&timeout=10s'],
    [
      'https://mon.example/prometheus',
      'https://mon.example/prometheus/api/v1/query?query=up&timeout=10s',
    ],
  ])('%s', (base, url) => {
    expect(queryUrl(base, 'up', 10)).toBe(url);
  });
});

describe('prometheusProvider against a local Prometheus stand-in', () => {
  let prom: FakeServer;
  beforeAll(async () => (prom = await fakeServer()));
  afterAll(() => prom.close());
  beforeEach(() => (prom.seen.length = 0));

  const request = (url: string, timeoutSeconds = 5): MeasureRequest => ({
    url,
    query: 'sum(rate(http_requests_total{namespace="shop"}[1m]))',
    check: 'rate',
    timeoutSeconds,
    facts: helloFacts,
  });

  it('sends the query as GET /api/v1/query with a timeout, and reads the value', async () => {
    prom.answer = () => ({ status: 200, body: vector('12.5') });
    const reading = await prometheusProvider.measure(request(prom.base), httpFetch());
    expect(reading).toEqual({ kind: 'value', value: 12.5 });
    expect(prom.seen).toHaveLength(1);
    expect(prom.seen[0].method).toBe('GET');
    expect(prom.seen[0].url.pathname).toBe('/api/v1/query');
    expect(prom.seen[0].url.searchParams.get('query')).toBe(
      'sum(rate(http_requests_total{namespace="shop"}[1m]))',
    );
    expect(prom.seen[0].url.searchParams.get('timeout')).toBe('5s');
  });

  it('a 503 fails the check', async () => {
    prom.answer = () => ({ status: 503, body: 'Service Unavailable' });
    expect(await prometheusProvider.measure(request(prom.base), httpFetch())).toEqual({
      kind: 'failed',
      reason: 'Prometheus answered HTTP 503 (Service Unavailable)',
    });
  });

  it('an unreachable Prometheus fails the check (an outage is never a pass)', async () => {
    const reading = await prometheusProvider.measure(request(await closedUrl()), httpFetch());
    expect(reading.kind).toBe('failed');
    expect(reading).toMatchObject({
      reason: expect.stringMatching(/^Prometheus did not answer: .*ECONNREFUSED/),
    });
  });

  it('a Prometheus that never answers fails the check within the timeout', async () => {
    prom.answer = () => 'hang';
    const reading = await prometheusProvider.measure(request(prom.base, 0.3), httpFetch());
    expect(reading.kind).toBe('failed');
    expect(reading).toMatchObject({ reason: expect.stringContaining('Prometheus did not answer') });
  });

  it('a URL that is not one fails the check', async () => {
    expect(await prometheusProvider.measure(request('not a url'), httpFetch())).toEqual({
      kind: 'failed',
      reason: '"not a url" is not a URL',
    });
  });
});
