// Prometheus: one instant query (GET /api/v1/query) per reading. A query must come down to one
// number: a scalar, or a vector of exactly one series. No series, or NaN (0/0 when there was no
// traffic), is "no data", which fails the measurement rather than passing it.
import type { AnalysisProvider, MeasureRequest, Reading } from './model';
import { bodyExcerpt, exchange } from './request';

/** The query URL under a base that may carry a path prefix (`http://host/prometheus`). */
export function queryUrl(base: string, query: string, timeoutSeconds: number): string {
  const url = new URL(base.endsWith('/') ? base : `${base}/`);
  const target = new URL('api/v1/query', url);
  target.searchParams.set('query', query);
  // Prometheus stops evaluating at its own timeout, so it never answers after we gave up.
  target.searchParams.set('timeout', `${Math.max(1, Math.floor(timeoutSeconds))}s`);
  return target.toString();
}

function sampleValue(sample: unknown): Reading {
  const text = Array.isArray(sample) ? sample[1] : undefined;
  if (typeof text !== 'string') return { kind: 'failed', reason: 'the answer has no sample value' };
  // Prometheus writes infinities as +Inf / -Inf, which Number() does not read.
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  if (Number.isNaN(value))
    return { kind: 'failed', reason: 'no data (the query gave NaN)', noData: true };
  return { kind: 'value', value };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Prometheus answers are open-ended JSON */
/** Reads Prometheus's answer to an instant query (status code and body) as one reading. */
export function readPrometheusAnswer(status: number, body: string): Reading {
  let answer: any;
  try {
    answer = JSON.parse(body);
  } catch {
    answer = undefined;
  }
  if (status < 200 || status > 299) {
    const why = answer?.error
      ? `${answer.errorType ?? 'error'}: ${answer.error}`
      : bodyExcerpt(body);
    return {
      kind: 'failed',
      reason: `Prometheus answered HTTP ${status}${why ? ` (${why})` : ''}`,
    };
  }
  if (!answer || typeof answer !== 'object')
    return { kind: 'failed', reason: `Prometheus answered with no JSON: ${bodyExcerpt(body)}` };
  if (answer.status !== 'success')
    return {
      kind: 'failed',
      reason: `Prometheus: ${answer.errorType ?? 'error'}: ${answer.error ?? 'query failed'}`,
    };
  const { resultType, result } = answer.data ?? {};
  if (resultType === 'scalar') return sampleValue(result);
  if (resultType === 'vector' && Array.isArray(result)) {
    if (result.length === 0)
      return { kind: 'failed', reason: 'no data (the query returned no series)', noData: true };
    if (result.length > 1)
      return {
        kind: 'failed',
        reason: `the query returned ${result.length} series; aggregate it to one (sum, max, histogram_quantile by le)`,
      };
    return sampleValue(result[0].value);
  }
  return {
    kind: 'failed',
    reason: `the query returned a ${resultType ?? 'result'} of no known shape; write an instant query that gives one number`,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export const prometheusProvider: AnalysisProvider = {
  name: 'prometheus',
  async measure(request: MeasureRequest, fetch): Promise<Reading> {
    let url: string;
    try {
      url = queryUrl(request.url, request.query, request.timeoutSeconds);
    } catch {
      return { kind: 'failed', reason: `"${request.url}" is not a URL` };
    }
    const answer = await exchange(
      fetch,
      url,
      { method: 'GET', headers: { accept: 'application/json' } },
      request.timeoutSeconds,
    );
    if ('error' in answer)
      return { kind: 'failed', reason: `Prometheus did not answer: ${answer.error}` };
    return readPrometheusAnswer(answer.status, answer.body);
  },
};
