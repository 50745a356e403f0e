// The meta stage's inputs, as docker/metadata-action v5 takes them (plus its environment
// variables), parsed and checked before anything runs.
import type { Context } from '../../context';
import type { InputSource } from '../../inputs';
import { readBoolean, readChoice } from '../../inputs';
import { InputError } from '../../lib/errors';
import { parseFlavor } from './flavor';
import { parseImages } from './images';
import { ANNOTATION_LEVELS, splitAnnotation, splitKeyValue, type KeyValue } from './labels';
import { readEntries, unquoteLine } from './lines';
import type { Flavor, ImageName, TagRule } from './model';
import { parseTagRules } from './tag-rules';
import { GLOBAL_NAMES, templateProblem, unquotedDateFormats, usesCommitDate } from './templates';

export const REF_SOURCES = ['workflow', 'git'] as const;
export type RefSource = (typeof REF_SOURCES)[number];

export interface MetaInputs {
  images: ImageName[];
  tags: TagRule[];
  flavor: Flavor;
  /** User labels/annotations; values may hold templates, rendered at run time. */
  labels: KeyValue[];
  annotations: KeyValue[];
  /** Levels generated and unprefixed annotations go on (DOCKER_METADATA_ANNOTATIONS_LEVELS). */
  annotationLevels: string[];
  separators: { tags: string; labels: string; annotations: string };
  refSource: RefSource;
  /** Use the pull request's head commit rather than the merge commit. */
  prHeadSha: boolean;
  githubToken: string;
  /** "Now" for the created label and {{date}}: SOURCE_DATE_EPOCH when set. */
  now: Date;
  shortShaLength: number;
  /** Whether some template needs {{commit_date}} (resolving it may call the API). */
  needsCommitDate: boolean;
  /** Also export the outputs as DOCKER_METADATA_OUTPUT_* variables for later steps. */
  exportOutputEnv: boolean;
  /** The target name in the Bake definition files (`bake-target`). */
  bakeTarget: string;
  /** Things in the inputs worth a warning that do not fail the step. */
  warnings: string[];
}

/** docker/metadata-action's default `bake-target`. */
export const DEFAULT_BAKE_TARGET = 'docker-metadata-action';

export function parseMetaInputs(
  source: InputSource,
  _ctx: Context,
  env: NodeJS.ProcessEnv = process.env,
): MetaInputs {
  const tagLines = readEntries(source, 'tags');
  const flavorLines = readEntries(source, 'flavor');
  const labels = readEntries(source, 'labels').map((line) => keyValue('labels', line, false));
  const annotations = readEntries(source, 'annotations').map((line) =>
    keyValue('annotations', line, true),
  );
  const templates = [
    ...tagLines,
    ...flavorLines,
    ...labels.map((l) => l.value),
    ...annotations.map((a) => a.value),
  ];
  return {
    images: parseImages(readEntries(source, 'images')),
    tags: parseTagRules(tagLines),
    flavor: parseFlavor(flavorLines),
    labels,
    annotations,
    annotationLevels: annotationLevels(env.DOCKER_METADATA_ANNOTATIONS_LEVELS),
    separators: {
      tags: separator(source, 'sep-tags'),
      labels: separator(source, 'sep-labels'),
      annotations: separator(source, 'sep-annotations'),
    },
    refSource: refSource(source),
    prHeadSha:
      readBoolean(source, 'pr-head-sha', false) ||
      envBoolean(env, 'DOCKER_METADATA_PR_HEAD_SHA', false),
    githubToken: source.get('github-token'),
    now: sourceDate(env.SOURCE_DATE_EPOCH),
    shortShaLength: shortShaLength(env.DOCKER_METADATA_SHORT_SHA_LENGTH),
    needsCommitDate: templates.some(usesCommitDate),
    exportOutputEnv: envBoolean(env, 'DOCKER_METADATA_SET_OUTPUT_ENV', true),
    bakeTarget: source.get('bake-target') || DEFAULT_BAKE_TARGET,
    warnings: templates.flatMap(unquotedDateFormats),
  };
}

/**
 * Where the ref and commit come from: `ref-source`, or docker/metadata-action's `context` when
 * it is exactly `workflow` or `git` (any other `context` is the build stage's build context).
 */
function refSource(source: InputSource): RefSource {
  const context = source.get('context');
  const fromContext = (REF_SOURCES as readonly string[]).includes(context)
    ? (context as RefSource)
    : undefined;
  const explicit =
    source.get('ref-source') === ''
      ? undefined
      : readChoice(source, 'ref-source', REF_SOURCES, 'workflow');
  if (fromContext && explicit && fromContext !== explicit) {
    throw new InputError(
      'ref-source',
      `says ${explicit} but context says ${fromContext}; both choose where the ref and commit come ` +
        `from (context: workflow|git is docker/metadata-action's name for ref-source): set one of them`,
    );
  }
  return explicit ?? fromContext ?? 'workflow';
}

function envBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', '1'].includes(value)) return true;
  if (['false', '0'].includes(value)) return false;
  throw new InputError(name, `"${env[name]}" is not a boolean; use true or false`);
}

function separator(source: InputSource, name: string): string {
  return source.get(name, { trim: false }) || '\n';
}

function keyValue(input: string, line: string, withLevels: boolean): KeyValue {
  const entry = unquoteLine(line);
  const pair = withLevels ? splitAnnotation(entry) : splitKeyValue(entry);
  if (!pair) throw new InputError(input, `"${line}" is not a key=value entry`);
  const problem = templateProblem(pair.value, GLOBAL_NAMES);
  if (problem) throw new InputError(input, `${problem} in "${line}"`);
  return pair;
}

function annotationLevels(value: string | undefined): string[] {
  if (!value || value.trim() === '') return ['manifest'];
  const levels = value.split(',').map((level) => level.trim());
  for (const level of levels) {
    const name = level.replace(/\[[^\]]*\]$/, '');
    if (!(ANNOTATION_LEVELS as readonly string[]).includes(name)) {
      throw new InputError(
        'DOCKER_METADATA_ANNOTATIONS_LEVELS',
        `unknown level "${level}"; use ${ANNOTATION_LEVELS.join(', ')}`,
      );
    }
  }
  return levels;
}

function sourceDate(value: string | undefined): Date {
  if (value === undefined || value.trim() === '') return new Date();
  if (!/^\d+$/.test(value.trim())) {
    throw new InputError('SOURCE_DATE_EPOCH', `"${value}" is not a number of seconds since 1970`);
  }
  return new Date(Number(value.trim()) * 1000);
}

function shortShaLength(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 7;
  const length = Number(value);
  if (!Number.isInteger(length) || length < 1) {
    throw new InputError('DOCKER_METADATA_SHORT_SHA_LENGTH', `"${value}" is not a positive number`);
  }
  return length;
}
