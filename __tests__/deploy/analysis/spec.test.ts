// The analysis spec: analysis-queries (custom PromQL and the built-in checks), the Prometheus
// URL and the webhook. Bad entries fail naming the input, the entry and the field.
import { InputError } from '../../../src/lib/errors';
import { parseAnalysisQueries, parseAnalysisSpec } from '../../../src/stages/deploy/analysis/spec';

describe('parseAnalysisQueries: what a check becomes', () => {
  it('reads a custom check with min, max, failure-limit and window', () => {
    const [check] = parseAnalysisQueries(
      `- name: error-rate
  query: sum(rate(errors_total{ {{canary}} }[{{window}}]))
  max: 0.5
  failure-limit: 3
  window: 2m`,
      false,
    );
    expect(check).toEqual({
      name: 'error-rate',
      provider: 'prometheus',
      query: 'sum(rate(errors_total{ {{canary}} }[{{window}}]))',
      max: 0.5,
      higherIsBetter: false,
      failureLimit: 3,
      windowSeconds: 120,
      unit: 'number',
    });
  });

  it('gives the built-in checks their PromQL over the example service metrics', () => {
    const [success, latency] = parseAnalysisQueries(
      '- name: success-rate\n  min: 99\n- name: latency-p95\n  max: 300ms\n',
      false,
    );
    expect(success).toMatchObject({
      builtin: 'success-rate',
      min: 99,
      higherIsBetter: true,
      unit: 'percent',
      failureLimit: 1,
      windowSeconds: 60,
      query:
        '100 * sum(rate(http_requests_total{ {{canary}},code!~"5.." }[{{window}}])) / sum(rate(http_requests_total{ {{canary}} }[{{window}}]))',
    });
    expect(latency).toMatchObject({
      builtin: 'latency-p95',
      max: 0.3,
      higherIsBetter: false,
      unit: 'seconds',
      query:
        'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{ {{canary}} }[{{window}}])))',
    });
  });

  it('lets the built-in checks use other metric and label names', () => {
    const [success, latency] = parseAnalysisQueries(
      `- name: success-rate
  min: 99.5
  metric: http_server_requests_seconds_count
  code-label: status
- name: latency-p95
  max: 0.5
  metric: http_server_requests_seconds`,
      false,
    );
    expect(success.query).toContain(
      'http_server_requests_seconds_count{ {{canary}},status!~"5.." }',
    );
    expect(latency.query).toContain('http_server_requests_seconds_bucket{ {{canary}} }');
  });

  it('with canary-baseline, built-in checks compare with the baseline by default', () => {
    const checks = parseAnalysisQueries(
      '- name: success-rate\n- name: latency-p95\n  tolerance: 50ms\n',
      true,
    );
    expect(checks.map((c) => [c.name, c.tolerance, c.min])).toEqual([
      ['success-rate', 1, undefined],
      ['latency-p95', 0.05, undefined],
    ]);
  });

  it('a custom check with only min counts lower as worse', () => {
    const [check] = parseAnalysisQueries(
      '- name: apdex\n  query: apdex{ {{canary}} }\n  min: 0.9\n  tolerance: 0.05\n',
      true,
    );
    expect(check).toMatchObject({ higherIsBetter: true, tolerance: 0.05, min: 0.9 });
  });

  it('empty text is no checks', () => {
    expect(parseAnalysisQueries('  \n', false)).toEqual([]);
  });
});

describe('parseAnalysisQueries: errors name the input, the entry and the field', () => {
  it.each([
    ['name: x', false, 'must be a YAML list of checks'],
    ['- [a, b', false, 'is not YAML'],
    ['- just-a-string', false, 'entry 1 is not a mapping'],
    ['- query: up\n  max: 1', false, 'entry 1, name: missing'],
    ['- name: has space\n  query: up\n  max: 1', false, 'entry 1, name: "has space" is not a name'],
    [
      '- name: a\n  query: up\n  max: 1\n- name: b\n  max: 1',
      false,
      'entry 2, query: missing; give PromQL, or use a built-in check (success-rate, latency-p95)',
    ],
    [
      '- name: a\n  query: up\n  max: 1\n  threshold: 3',
      false,
      'entry 1, threshold: unknown field',
    ],
    ['- name: a\n  query: up', false, 'entry 1, min: give min or max'],
    ['- name: success-rate', false, 'entry 1, min: give a threshold, e.g. min: 99'],
    ['- name: latency-p95', false, 'entry 1, min: give a threshold, e.g. max: 500ms'],
    ['- name: a\n  query: up\n  max: lots', false, 'entry 1, max: "lots" is not a number'],
    [
      '- name: latency-p95\n  max: soon',
      false,
      'entry 1, max: "soon" is not a number or a duration like 300ms',
    ],
    ['- name: a\n  query: up\n  min: 5\n  max: 1', false, 'entry 1, min: 5 is above max 1'],
    [
      '- name: a\n  query: up\n  max: 1\n  failure-limit: -1',
      false,
      'entry 1, failure-limit: -1 is not a whole number',
    ],
    [
      '- name: a\n  query: up\n  max: 1\n  failure-limit: 1.5',
      false,
      'entry 1, failure-limit: 1.5 is not a whole number',
    ],
    [
      '- name: a\n  query: up\n  max: 1\n  window: often',
      false,
      'entry 1, window: "often" is not a duration',
    ],
    [
      '- name: a\n  query: up{ {{pods}} }\n  max: 1',
      false,
      'entry 1, query: unknown placeholder {{pods}}',
    ],
    [
      '- name: a\n  query: up{ {{baseline}} }\n  max: 1',
      false,
      'entry 1, query: {{baseline}} needs canary-baseline: true',
    ],
    [
      '- name: a\n  query: up{ {{canary}} }\n  tolerance: 1',
      false,
      'entry 1, tolerance: compares with the baseline; set canary-baseline: true',
    ],
    [
      '- name: a\n  query: up{ {{stable}} }\n  tolerance: 1',
      true,
      'entry 1, query: must select the canary with {{canary}}',
    ],
    [
      '- name: success-rate\n  query: up\n  min: 1',
      false,
      'entry 1, query: "success-rate" is a built-in check',
    ],
    [
      '- name: a\n  query: up\n  max: 1\n  metric: foo',
      false,
      'entry 1, metric: only the built-in checks take it',
    ],
    [
      '- name: latency-p95\n  max: 1\n  code-label: status',
      false,
      'entry 1, code-label: only success-rate takes it',
    ],
    [
      '- name: success-rate\n  min: 99\n  metric: "bad metric"',
      false,
      'entry 1, metric: "bad metric" is not a Prometheus metric name',
    ],
    [
      '- name: a\n  query: up\n  max: 1\n- name: a\n  query: up\n  max: 2',
      false,
      'entry 2, name: "a" is used twice',
    ],
  ])('%j', (text, baseline, message) => {
    let error: unknown;
    try {
      parseAnalysisQueries(text, baseline);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('analysis-queries');
    expect((error as Error).message).toContain(message);
  });
});

describe('parseAnalysisSpec', () => {
  const text = { queries: '', prometheusUrl: '', webhook: '', baseline: false };

  it('adds the webhook as a check that passes or fails', () => {
    const spec = parseAnalysisSpec({ ...text, webhook: 'https://judge.example/canary' });
    expect(spec.webhookUrl).toBe('https://judge.example/canary');
    expect(spec.checks).toEqual([
      expect.objectContaining({ name: 'webhook', provider: 'webhook', failureLimit: 1 }),
    ]);
  });

  it('no analysis at all is no checks', () => {
    expect(parseAnalysisSpec(text).checks).toEqual([]);
  });

  it.each([
    [
      { queries: '- name: success-rate\n  min: 99' },
      'analysis-prometheus-url',
      'needs the Prometheus to ask',
    ],
    [{ prometheusUrl: 'prometheus:9090' }, 'analysis-prometheus-url', 'is not an http(s) URL'],
    [{ webhook: 'file:///etc/passwd' }, 'analysis-webhook', 'is not an http(s) URL'],
    [
      {
        queries: '- name: webhook\n  query: up\n  max: 1',
        prometheusUrl: 'http://p:9090',
        webhook: 'http://w',
      },
      'analysis-queries',
      'the name "webhook" is taken',
    ],
  ])('%j fails naming %s', (overrides, input, message) => {
    expect(() => parseAnalysisSpec({ ...text, ...overrides })).toThrow(
      expect.objectContaining({ input, message: expect.stringContaining(message) }),
    );
  });
});
