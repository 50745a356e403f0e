// OCI image labels and annotations from the repository, version and commit; the user's own
// `labels` and `annotations` override generated ones with the same key. Pure.
import type { RepositoryInfo } from './model';

export interface OciFacts {
  repository: RepositoryInfo;
  version: string;
  created: Date;
  revision: string;
}

/** A `key=value` entry, with the levels it was given (`index:key=value`) for annotations. */
export interface KeyValue {
  key: string;
  value: string;
  levels?: string[];
}

export const ANNOTATION_LEVELS = [
  'manifest',
  'index',
  'manifest-descriptor',
  'index-descriptor',
] as const;

// `manifest`, `index`, ... optionally with a platform (`manifest[linux/amd64]`), comma separated.
const LEVEL = `(?:${ANNOTATION_LEVELS.join('|')})(?:\\[[^\\]]*\\])?`;
const LEVELS_PREFIX = new RegExp(`^(${LEVEL}(?:,${LEVEL})*):(.*)$`);

export function ociLabels(facts: OciFacts): KeyValue[] {
  const { repository } = facts;
  const label = (key: string, value: string) => ({ key: `org.opencontainers.image.${key}`, value });
  return [
    label('title', repository.name),
    label('description', repository.description),
    label('url', repository.htmlUrl),
    label('source', repository.htmlUrl),
    label('version', facts.version),
    label('created', facts.created.toISOString()),
    label('revision', facts.revision),
    label('licenses', repository.license),
  ];
}

/** `key=value` split at the first `=`; undefined when there is no `=` or no key. */
export function splitKeyValue(entry: string): KeyValue | undefined {
  const at = entry.indexOf('=');
  if (at <= 0) return undefined;
  return { key: entry.slice(0, at).trim(), value: entry.slice(at + 1) };
}

/** An annotation entry, with its `level[,level]:` prefix split off when it has one. */
export function splitAnnotation(entry: string): KeyValue | undefined {
  const pair = splitKeyValue(entry);
  if (!pair) return undefined;
  const prefixed = LEVELS_PREFIX.exec(pair.key);
  if (!prefixed || prefixed[2] === '') return pair;
  return { key: prefixed[2], value: pair.value, levels: prefixed[1].split(',') };
}

// Keys of these characters sort the same by code point as by the locale collator (punctuation
// `-` and `.` before digits before letters, both ways).
const PLAIN_KEY = /^[a-z0-9.-]*$/;

/**
 * Later entries win; the result is sorted by key with the locale's collation, as
 * docker/metadata-action sorts (`localeCompare`). The usual lower-case keys are compared by code
 * point, which orders them the same without paying for a collator at start-up.
 */
export function mergeLabels(generated: KeyValue[], user: KeyValue[]): string[] {
  const merged = new Map<string, string>();
  for (const { key, value } of [...generated, ...user]) merged.set(key, value);
  const entries = [...merged];
  const plain = entries.every(([key]) => PLAIN_KEY.test(key));
  const order = plain
    ? ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0)
    : ([a]: [string, string], [b]: [string, string]) => a.localeCompare(b);
  return entries.sort(order).map(([key, value]) => `${key}=${value}`);
}

/**
 * `level:key=value` annotations: the generated ones and unprefixed user entries on each default
 * level; a user entry with its own levels goes on those levels only.
 */
export function mergeAnnotations(
  generated: KeyValue[],
  user: KeyValue[],
  defaultLevels: string[],
): string[] {
  const plain = user.filter((entry) => !entry.levels);
  const levels = [...defaultLevels];
  for (const entry of user) {
    for (const level of entry.levels ?? []) if (!levels.includes(level)) levels.push(level);
  }
  return levels.flatMap((level) => {
    const own = user.filter((entry) => entry.levels?.includes(level));
    const entries = defaultLevels.includes(level) ? [...generated, ...plain, ...own] : own;
    return mergeLabels([], entries).map((entry) => `${level}:${entry}`);
  });
}

/** Labels as the `json` output's object: key -> value. */
export function labelObject(labels: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels) {
    const pair = splitKeyValue(label);
    if (pair) out[pair.key] = pair.value;
  }
  return out;
}
