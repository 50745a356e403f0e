// The `tags` input: docker/metadata-action's tag DSL (`type=semver,pattern={{version}}`, ...)
// parsed into typed rules, defaults filled in, sorted by priority (highest first).
import { InputError } from '../../lib/errors';
import { splitAttribute, splitFields } from './lines';
import {
  REF_EVENTS,
  SHA_FORMATS,
  TAG_TYPES,
  type RefEvent,
  type ShaFormat,
  type TagRule,
  type TagType,
} from './model';
import { GLOBAL_NAMES, SEMVER_NAMES, templateProblem } from './templates';

const INPUT = 'tags';

/** What an empty `tags` input means, as in docker/metadata-action. */
export const DEFAULT_TAGS = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=tag',
  'type=ref,event=pr',
];

export const DEFAULT_PRIORITIES: Record<TagType, number> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

const COMMON_ATTRIBUTES = ['type', 'enable', 'priority', 'prefix', 'suffix'];
const TYPE_ATTRIBUTES: Record<TagType, string[]> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format'],
};

export function parseTagRules(lines: string[]): TagRule[] {
  const rules = (lines.length > 0 ? lines : DEFAULT_TAGS).map(parseTagRule);
  // Array.prototype.sort is stable: equal priorities keep the order they were written in.
  return rules.sort((a, b) => b.priority - a.priority);
}

export function parseTagRule(line: string): TagRule {
  const fail = (detail: string) => new InputError(INPUT, `${detail} in "${line}"`);
  const attrs: Record<string, string> = {};
  for (const field of splitFields(line, INPUT)) {
    const { key, value } = splitAttribute(field);
    // A bare word is a value: `latest` alone means type=raw,value=latest.
    attrs[key ?? 'value'] = value;
  }
  const type = (attrs.type ?? 'raw') as TagType;
  if (!TAG_TYPES.includes(type)) {
    throw fail(`unknown tag type "${attrs.type}" (use ${TAG_TYPES.join(', ')})`);
  }
  const known = [...COMMON_ATTRIBUTES, ...TYPE_ATTRIBUTES[type]];
  for (const key of Object.keys(attrs)) {
    if (!known.includes(key)) {
      throw fail(`unknown attribute "${key}" for type=${type} (it takes ${known.join(', ')})`);
    }
  }

  const template = (name: string, allowed: readonly string[] = GLOBAL_NAMES) => {
    const value = attrs[name];
    if (value === undefined) return undefined;
    const problem = templateProblem(value, allowed);
    if (problem) throw fail(`${name}: ${problem}`);
    return value;
  };
  const required = (name: string, allowed?: readonly string[]) => {
    const value = template(name, allowed);
    if (value === undefined) throw fail(`type=${type} needs a ${name}= attribute`);
    return value;
  };

  const enable = template('enable') ?? 'true';
  if (!enable.includes('{{') && !['true', 'false'].includes(enable)) {
    throw fail(`enable must be true or false, not "${enable}"`);
  }
  let priority = DEFAULT_PRIORITIES[type];
  if (attrs.priority !== undefined) {
    priority = Number(attrs.priority);
    if (attrs.priority === '' || !Number.isFinite(priority)) {
      throw fail(`priority must be a number, not "${attrs.priority}"`);
    }
  }
  const base = { line, enable, priority, prefix: template('prefix'), suffix: template('suffix') };

  switch (type) {
    case 'schedule':
      return { ...base, type, pattern: template('pattern') ?? 'nightly' };
    case 'semver':
    case 'pep440':
      return {
        ...base,
        type,
        pattern: required('pattern', SEMVER_NAMES),
        value: template('value') ?? '',
        match: attrs.match ? versionMatch(attrs.match, fail) : undefined,
      };
    case 'match': {
      const group = Number(attrs.group ?? '0');
      if (!Number.isInteger(group) || group < 0) {
        throw fail(`group must be a capture group number, not "${attrs.group}"`);
      }
      return {
        ...base,
        type,
        pattern: compileRegExp(required('pattern', []), fail),
        group,
        value: template('value') ?? '',
      };
    }
    case 'edge':
      return { ...base, type, branch: attrs.branch ?? '' };
    case 'ref': {
      const event = required('event', []) as RefEvent;
      if (!REF_EVENTS.includes(event)) {
        throw fail(`event must be one of ${REF_EVENTS.join(', ')}, not "${event}"`);
      }
      // Pull request numbers alone would read like versions: they get `pr-` unless told otherwise.
      const prefix = event === 'pr' && base.prefix === undefined ? 'pr-' : base.prefix;
      return { ...base, prefix, type, event };
    }
    case 'raw':
      return { ...base, type, value: required('value') };
    case 'sha': {
      const format = (attrs.format ?? 'short') as ShaFormat;
      if (!SHA_FORMATS.includes(format)) {
        throw fail(`format must be short or long, not "${format}"`);
      }
      const prefix = base.prefix === undefined ? 'sha-' : base.prefix;
      return { ...base, prefix, type, format };
    }
  }
}

/**
 * semver/pep440 `match=`: a regular expression whose first capture group is the version
 * (`match=v(\d.\d.\d)$` reads 1.0.0 from p1/v1.0.0). Written bare, as docker/metadata-action
 * takes it; without a group it could never yield a version, so it is refused here.
 */
function versionMatch(source: string, fail: (detail: string) => InputError): RegExp {
  let match: RegExp;
  try {
    match = new RegExp(source);
  } catch (err) {
    throw fail(`match is not a valid regular expression (${(err as Error).message})`);
  }
  // Any expression matches the empty string once `|` is appended: that counts its groups.
  if (new RegExp(`${source}|`).exec('')!.length < 2) {
    throw fail('match needs a capture group around the version, e.g. match=v(\\d+\\.\\d+\\.\\d+)$');
  }
  return match;
}

/** `/regex/flags` or a bare regular expression, as docker/metadata-action accepts. */
function compileRegExp(pattern: string, fail: (detail: string) => InputError): RegExp {
  const literal = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  try {
    return literal ? new RegExp(literal[1], literal[2]) : new RegExp(pattern);
  } catch (err) {
    throw fail(`pattern is not a valid regular expression (${(err as Error).message})`);
  }
}
