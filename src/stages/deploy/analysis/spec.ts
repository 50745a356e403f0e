// The analysis spec, parsed before anything is applied: the `analysis-queries` YAML list
// (custom PromQL checks and the built-in ones by name), the Prometheus URL and the webhook.
// Every error names the input, the entry (1-based, as a person counts) and the field.
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../../lib/duration';
import { InputError } from '../../../lib/errors';
import { BUILTINS } from './builtins';
import { BUILTIN_CHECKS, type AnalysisCheck, type BuiltinCheck } from './model';
import { PLACEHOLDERS, placeholdersIn } from './selectors';

export const QUERIES_INPUT = 'analysis-queries';
export const PROMETHEUS_URL_INPUT = 'analysis-prometheus-url';
export const WEBHOOK_INPUT = 'analysis-webhook';

export interface AnalysisSpecText {
  queries: string;
  prometheusUrl: string;
  webhook: string;
  /** `canary-baseline` as parsed by the deploy inputs. */
  baseline: boolean;
}

export interface AnalysisSpec {
  checks: AnalysisCheck[];
  prometheusUrl: string;
  webhookUrl: string;
}

const FIELDS = [
  'name',
  'query',
  'min',
  'max',
  'tolerance',
  'failure-limit',
  'window',
  'metric',
  'code-label',
] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const DEFAULT_FAILURE_LIMIT = 1;
export const DEFAULT_WINDOW_SECONDS = 60;

function isBuiltin(name: string): name is BuiltinCheck {
  return (BUILTIN_CHECKS as readonly string[]).includes(name);
}

/** A URL an analysis input may hold: http or https, nothing else. */
export function readAnalysisUrl(text: string, input: string): string {
  if (text === '') return '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new InputError(input, `"${text}" is not an http(s) URL like http://prometheus:9090`);
  return text;
}

class Entry {
  constructor(
    private readonly fields: Record<string, unknown>,
    readonly index: number,
  ) {}

  fail(field: string, detail: string): never {
    throw new InputError(QUERIES_INPUT, `entry ${this.index + 1}, ${field}: ${detail}`);
  }

  has(field: string): boolean {
    return this.fields[field] !== undefined && this.fields[field] !== null;
  }

  text(field: string, pattern?: RegExp, shape?: string): string | undefined {
    if (!this.has(field)) return undefined;
    const value = this.fields[field];
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(field, 'must be a non-empty string');
    if (pattern && !pattern.test(value)) this.fail(field, `"${value}" is not ${shape}`);
    return value.trim();
  }

  /** A number; for checks measured in seconds a duration ("250ms") as well. */
  number(field: string, seconds: boolean): number | undefined {
    if (!this.has(field)) return undefined;
    const value = this.fields[field];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (seconds && typeof value === 'string') {
      const parsed = parseDuration(value);
      if (parsed !== undefined) return parsed;
    }
    this.fail(
      field,
      `${JSON.stringify(value)} is not a number${seconds ? ' or a duration like 300ms' : ''}`,
    );
  }

  count(field: string): number | undefined {
    if (!this.has(field)) return undefined;
    const value = this.fields[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      this.fail(field, `${JSON.stringify(value)} is not a whole number from 0 up`);
    return value;
  }

  duration(field: string): number | undefined {
    if (!this.has(field)) return undefined;
    const value = this.fields[field];
    const seconds = typeof value === 'string' ? parseDuration(value) : undefined;
    if (seconds === undefined || seconds <= 0)
      this.fail(field, `${JSON.stringify(value)} is not a duration like 30s or 2m`);
    return seconds;
  }
}

function parseEntry(raw: unknown, index: number, baseline: boolean): AnalysisCheck {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new InputError(
      QUERIES_INPUT,
      `entry ${index + 1} is not a mapping; write "- name: …" with query, min or max`,
    );
  const entry: Entry = new Entry(raw as Record<string, unknown>, index);
  for (const field of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(field))
      entry.fail(field, `unknown field; use ${FIELDS.join(', ')}`);
  }
  const name = entry.text('name', NAME, 'a name of letters, digits, ".", "_" and "-"');
  if (name === undefined) entry.fail('name', 'missing; every check needs a name');
  const builtin = isBuiltin(name) ? name : undefined;
  const definition = builtin ? BUILTINS[builtin] : undefined;
  const seconds = definition?.unit === 'seconds';

  let query = entry.text('query');
  if (builtin && query !== undefined)
    entry.fail(
      'query',
      `"${name}" is a built-in check; drop the query or name the check otherwise`,
    );
  if (!builtin) {
    if (query === undefined)
      entry.fail(
        'query',
        `missing; give PromQL, or use a built-in check (${BUILTIN_CHECKS.join(', ')})`,
      );
    for (const field of ['metric', 'code-label'])
      if (entry.has(field)) entry.fail(field, 'only the built-in checks take it');
  } else {
    if (builtin !== 'success-rate' && entry.has('code-label'))
      entry.fail('code-label', 'only success-rate takes it');
    query = definition!.query({
      metric: entry.text('metric', METRIC, 'a Prometheus metric name'),
      codeLabel: entry.text('code-label', LABEL, 'a Prometheus label name'),
    });
  }
  for (const placeholder of placeholdersIn(query!)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(placeholder))
      entry.fail(
        'query',
        `unknown placeholder {{${placeholder}}}; use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    if (placeholder === 'baseline' && !baseline)
      entry.fail(
        'query',
        '{{baseline}} needs canary-baseline: true (no baseline pods run otherwise)',
      );
  }

  const min = entry.number('min', seconds);
  const max = entry.number('max', seconds);
  if (min !== undefined && max !== undefined && min > max)
    entry.fail('min', `${min} is above max ${max}; no value could pass`);
  const higherIsBetter = definition
    ? definition.higherIsBetter
    : min !== undefined && max === undefined;
  let tolerance = entry.number('tolerance', seconds);
  if (tolerance !== undefined && tolerance < 0) entry.fail('tolerance', 'must not be negative');
  if (tolerance !== undefined && !baseline)
    entry.fail(
      'tolerance',
      'compares with the baseline; set canary-baseline: true, or use min / max',
    );
  if (baseline && tolerance === undefined && definition) tolerance = definition.defaultTolerance;
  if (tolerance !== undefined && !placeholdersIn(query!).includes('canary'))
    entry.fail('query', 'must select the canary with {{canary}} to be compared with the baseline');
  if (min === undefined && max === undefined && tolerance === undefined)
    entry.fail(
      'min',
      builtin === 'success-rate'
        ? 'give a threshold, e.g. min: 99 (percent of requests answered without a 5xx)'
        : builtin === 'latency-p95'
          ? 'give a threshold, e.g. max: 500ms'
          : 'give min or max (or, with canary-baseline, tolerance) so the check can fail',
    );

  return {
    name,
    provider: 'prometheus',
    query: query!,
    ...(builtin ? { builtin } : {}),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(tolerance !== undefined ? { tolerance } : {}),
    higherIsBetter,
    failureLimit: entry.count('failure-limit') ?? DEFAULT_FAILURE_LIMIT,
    windowSeconds: entry.duration('window') ?? DEFAULT_WINDOW_SECONDS,
    unit: definition?.unit ?? 'number',
  };
}

/** The checks of `analysis-queries` (empty text: none). */
export function parseAnalysisQueries(text: string, baseline: boolean): AnalysisCheck[] {
  if (text.trim() === '') return [];
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new InputError(QUERIES_INPUT, `is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(document))
    throw new InputError(
      QUERIES_INPUT,
      'must be a YAML list of checks, e.g. "- name: success-rate" / "  min: 99"',
    );
  const checks = document.map((raw, index) => parseEntry(raw, index, baseline));
  const seen = new Set<string>();
  checks.forEach((check, index) => {
    if (seen.has(check.name))
      throw new InputError(
        QUERIES_INPUT,
        `entry ${index + 1}, name: "${check.name}" is used twice`,
      );
    seen.add(check.name);
  });
  return checks;
}

/** The webhook as a check: it has no value, only a pass or a fail. */
export function webhookCheck(): AnalysisCheck {
  return {
    name: 'webhook',
    provider: 'webhook',
    query: '',
    higherIsBetter: true,
    failureLimit: DEFAULT_FAILURE_LIMIT,
    windowSeconds: DEFAULT_WINDOW_SECONDS,
    unit: 'number',
  };
}

export function parseAnalysisSpec(text: AnalysisSpecText): AnalysisSpec {
  const prometheusUrl = readAnalysisUrl(text.prometheusUrl, PROMETHEUS_URL_INPUT);
  const webhookUrl = readAnalysisUrl(text.webhook, WEBHOOK_INPUT);
  const checks = parseAnalysisQueries(text.queries, text.baseline);
  if (checks.length > 0 && prometheusUrl === '')
    throw new InputError(
      PROMETHEUS_URL_INPUT,
      `${QUERIES_INPUT} needs the Prometheus to ask; set ${PROMETHEUS_URL_INPUT}, e.g. http://prometheus.monitoring:9090`,
    );
  if (checks.length === 0 && prometheusUrl !== '')
    throw new InputError(
      PROMETHEUS_URL_INPUT,
      `no check asks it; add one to ${QUERIES_INPUT}, e.g. "- name: success-rate" / "  min: 99", or remove ${PROMETHEUS_URL_INPUT}`,
    );
  if (checks.some((check) => check.name === 'webhook') && webhookUrl !== '')
    throw new InputError(
      QUERIES_INPUT,
      `the name "webhook" is taken by ${WEBHOOK_INPUT}; rename the check`,
    );
  return { checks: webhookUrl ? [...checks, webhookCheck()] : checks, prometheusUrl, webhookUrl };
}
