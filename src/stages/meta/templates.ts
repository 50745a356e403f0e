// The `{{...}}` expressions tag values, prefixes, suffixes and labels may hold ({{branch}},
// {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}}, {{date}}, {{commit_date}}), and the
// semver/pep440 pattern variables. Checked once when inputs are parsed, rendered per run.
import type * as HandlebarsTypes from 'handlebars';
let handlebars: typeof HandlebarsTypes | undefined;

/**
 * Handlebars, loaded on first use: most runs of most stages have no template, and every run
 * of the action would otherwise pay for evaluating the compiler at start-up. The package entry
 * also drags in the precompiler's file-system and source-map support; the prebuilt CommonJS
 * build is the same engine, smaller in the bundle.
 */
function engine(): typeof HandlebarsTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handlebars ??= (require('handlebars/dist/cjs/handlebars') as typeof HandlebarsTypes).create();
  return handlebars;
}

let dateFormat: typeof import('./date-format') | undefined;

/** The date formatter (dayjs and its plugins), loaded when a template first formats a date. */
function dates(): typeof import('./date-format') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  dateFormat ??= require('./date-format') as typeof import('./date-format');
  return dateFormat;
}

/** What global templates are rendered against. */
export interface TemplateScope {
  eventName: string;
  ref: string;
  sha: string;
  payload: Record<string, unknown>;
  /** "Now": SOURCE_DATE_EPOCH when set, for reproducible builds. */
  now: Date;
  /** The commit's date; resolved before rendering only when a template asks for it. */
  commitDate?: Date;
  shortShaLength: number;
}

export const GLOBAL_NAMES = [
  'branch',
  'tag',
  'sha',
  'base_ref',
  'is_default_branch',
  'is_not_default_branch',
  'date',
  'commit_date',
] as const;
export const SEMVER_NAMES = ['raw', 'version', 'major', 'minor', 'patch'] as const;

const DATE_HELPERS = ['date', 'commit_date'];

// Events that only ever run on the default branch's latest commit.
const DEFAULT_BRANCH_EVENTS = /create|discussion|issues|schedule/;

/** The first `length` characters of a commit id (DOCKER_METADATA_SHORT_SHA_LENGTH, default 7). */
export function shortSha(sha: string, length: number): string {
  return sha.slice(0, length);
}

/** A date in moment.js's format language; no format gives ISO 8601, as moment does. */
export function formatDate(date: Date, format: string | undefined, zone = 'UTC'): string {
  return dates().formatMomentDate(date, format, zone);
}

export function branchOf(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : '';
}

export function tagOf(ref: string): string {
  return ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
}

/** The branch a tag was pushed from, or a pull request's target branch. */
export function baseRefOf(scope: Pick<TemplateScope, 'ref' | 'payload'>): string {
  const payload = scope.payload as {
    base_ref?: string | null;
    pull_request?: { base?: { ref?: string } };
  };
  if (scope.ref.startsWith('refs/tags/') && payload.base_ref) {
    return payload.base_ref.replace(/^refs\/heads\//, '');
  }
  if (scope.ref.startsWith('refs/pull/') && payload.pull_request?.base?.ref) {
    return payload.pull_request.base.ref;
  }
  return '';
}

export function isDefaultBranch(
  scope: Pick<TemplateScope, 'ref' | 'payload' | 'eventName'>,
): boolean {
  // Without a ref there is no branch to be on, whatever the event.
  if (scope.ref === '') return false;
  const branch = branchOf(scope.ref);
  const repository = scope.payload.repository as { default_branch?: string } | undefined;
  if (branch !== '' && repository?.default_branch === branch) return true;
  return DEFAULT_BRANCH_EVENTS.test(scope.eventName);
}

type HelperOptions = { hash: Record<string, unknown> };

function dateHelper(date: () => Date) {
  return (format: unknown, options: HelperOptions) => {
    const zone = typeof options.hash.tz === 'string' ? options.hash.tz : 'UTC';
    // An unquoted format reaches the helper as a (missing) value: moment's default format.
    return formatDate(date(), typeof format === 'string' ? format : undefined, zone);
  };
}

const compiled = new Map<string, HandlebarsTypes.TemplateDelegate>();

/** Render with Handlebars; values that are functions are called as helpers. */
export function renderHandlebars(template: string, values: object): string {
  let fn = compiled.get(template);
  if (!fn) {
    // Values are tags and labels, not HTML: no entity escaping.
    fn = engine().compile(template, { noEscape: true, strict: false });
    compiled.set(template, fn);
  }
  return fn(values);
}

// Text and bare `{{name}}` expressions only: no arguments, escapes, blocks, comments or {{{ }}}.
const TEXT = String.raw`(?:[^{\\]|\{(?!\{))*`;
const SIMPLE_TEMPLATE = new RegExp(String.raw`^${TEXT}(?:\{\{\s*[A-Za-z_]+\s*\}\}${TEXT})*$`);
const SIMPLE_EXPRESSION = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/** The names a template uses when it is text and bare `{{name}}`s, else undefined. */
function simpleNames(template: string): string[] | undefined {
  if (!SIMPLE_TEMPLATE.test(template)) return undefined;
  return [...template.matchAll(SIMPLE_EXPRESSION)].map((match) => match[1]);
}

/**
 * Render a template. Most are text with `{{version}}`, `{{branch}}` and the like: those are
 * substituted directly, exactly as Handlebars would (a function value is called, a missing one
 * renders empty), so a run without date helpers never loads the Handlebars compiler.
 */
function render(template: string, values: Record<string, unknown>): string {
  if (!template.includes('{{')) return template;
  if (!simpleNames(template)) return renderHandlebars(template, values);
  return template.replace(SIMPLE_EXPRESSION, (_expression, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    const result = typeof value === 'function' ? (value as () => unknown)() : value;
    return result === undefined || result === null ? '' : String(result);
  });
}

/** Render a template that may use the global expressions. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  if (!template.includes('{{')) return template;
  return render(template, {
    branch: () => branchOf(scope.ref),
    tag: () => tagOf(scope.ref),
    sha: () => shortSha(scope.sha, scope.shortShaLength),
    base_ref: () => baseRefOf(scope),
    is_default_branch: () => String(isDefaultBranch(scope)),
    is_not_default_branch: () => String(!isDefaultBranch(scope)),
    date: dateHelper(() => scope.now),
    commit_date: dateHelper(() => {
      if (!scope.commitDate) throw new Error('the commit date was not resolved');
      return scope.commitDate;
    }),
  });
}

/** Render a semver/pep440 pattern against the parsed version's parts. */
export function renderPattern(pattern: string, parts: object): string {
  return render(pattern, { ...parts });
}

/** Whether a pattern is exactly `{{raw}}`, the one pattern pre-releases keep. */
export function isRawPattern(pattern: string): boolean {
  return /^\{\{\s*raw\s*\}\}$/.test(pattern.trim());
}

/** Whether a template asks for the commit date (which may need an API call to resolve). */
export function usesCommitDate(template: string): boolean {
  return /\{\{\s*commit_date\b/.test(template);
}

/**
 * Why a template cannot be rendered, or undefined when it can: a syntax error, a name that is
 * not one of `allowed`, or a date helper with a wrong argument or time zone.
 */
export function templateProblem(template: string, allowed: readonly string[]): string | undefined {
  if (!template.includes('{{')) return undefined;
  const names = simpleNames(template);
  if (names) {
    const unknown = names.find((name) => !allowed.includes(name));
    if (unknown) return unknownExpression(unknown, allowed);
    const date = names.find((name) => DATE_HELPERS.includes(name));
    if (date) return dateFormatMissing(date);
    return undefined;
  }
  let program: hbs.AST.Program;
  try {
    program = engine().parse(template);
  } catch (err) {
    return `invalid template: ${(err as Error).message.split('\n')[0]}`;
  }
  for (const statement of program.body) {
    if (statement.type === 'ContentStatement' || statement.type === 'CommentStatement') continue;
    if (statement.type !== 'MustacheStatement') {
      return `unsupported template expression (only {{name}} and {{date 'FORMAT'}} are known)`;
    }
    const mustache = statement as hbs.AST.MustacheStatement;
    const name = (mustache.path as hbs.AST.PathExpression).original;
    if (!allowed.includes(name)) return unknownExpression(name, allowed);
    const problem = DATE_HELPERS.includes(name)
      ? dateProblem(name, mustache)
      : mustache.params.length > 0 || mustache.hash
        ? `{{${name}}} takes no arguments`
        : undefined;
    if (problem) return problem;
  }
  return undefined;
}

function unknownExpression(name: string, allowed: readonly string[]): string {
  const known = allowed.map((n) => `{{${n}}}`).join(', ');
  return `unknown template expression {{${name}}}; use one of ${known}`;
}

function dateFormatMissing(name: string): string {
  return `{{${name}}} takes one quoted format, e.g. {{${name} 'YYYYMMDD'}}`;
}

function dateProblem(name: string, mustache: hbs.AST.MustacheStatement): string | undefined {
  const [format, ...rest] = mustache.params;
  // An unquoted format (a path) is what docker/metadata-action accepts too; see unquotedDateFormats.
  const usable = format?.type === 'StringLiteral' || format?.type === 'PathExpression';
  if (!usable || rest.length > 0) return dateFormatMissing(name);
  for (const pair of mustache.hash?.pairs ?? []) {
    if (pair.key !== 'tz') return `{{${name}}} has no attribute "${pair.key}"; only tz= is known`;
    const zone = (pair.value as hbs.AST.StringLiteral).value;
    if (pair.value.type !== 'StringLiteral' || !isTimeZone(zone)) {
      return `{{${name}}} has an unknown time zone ${JSON.stringify(zone)}; use an IANA name like 'Europe/Paris'`;
    }
  }
  return undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Date helpers whose format is written without quotes (`{{date YYYYMMDD}}`). Handlebars reads
 * such a format as a (missing) value, so docker/metadata-action renders moment's default ISO
 * 8601 date instead; Gantry renders the same, and says so with these for a warning.
 */
export function unquotedDateFormats(template: string): string[] {
  if (!/\{\{~?\s*(?:date|commit_date)\s/.test(template)) return [];
  const found: string[] = [];
  for (const statement of engine().parse(template).body) {
    if (statement.type !== 'MustacheStatement') continue;
    const mustache = statement as hbs.AST.MustacheStatement;
    const name = (mustache.path as hbs.AST.PathExpression).original;
    const format = mustache.params[0];
    if (DATE_HELPERS.includes(name) && format?.type === 'PathExpression') {
      const path = (format as hbs.AST.PathExpression).original;
      found.push(
        `{{${name} ${path}}} renders the ISO date; to format it, quote the format: {{${name} '${path}'}}`,
      );
    }
  }
  return found;
}
