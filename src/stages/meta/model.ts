// What the meta stage hands to build (tags, labels, annotations) and what it outputs, plus the
// typed forms of its docker/metadata-action style inputs.

export interface MetaResult {
  /** The version the ref resolves to, e.g. 1.2.3 for tag v1.2.3 ('' when none). */
  version: string;
  /** Enabled image names, e.g. ["127.0.0.1:5000/acme/app"]. */
  images: string[];
  /** Full image references (image:tag), in priority order, without duplicates. */
  tags: string[];
  /** `key=value` labels (generated OCI labels overridden by the user's). */
  labels: string[];
  /** `level:key=value` annotations (e.g. `manifest:org.opencontainers.image.version=1.2.3`). */
  annotations: string[];
  /** The tags without image names (e.g. ["1.2.3", "1.2", "latest"]), in the same order. */
  tagNames: string[];
  /** Whether a `latest` tag was generated. */
  latest: boolean;
  /** Paths of the Bake definition files, once the stage has written them. */
  bakeFiles?: BakeFiles;
}

/** docker/metadata-action's Bake files: the `bake-file-*` and `bake-file` outputs. */
export interface BakeFiles {
  tags: string;
  labels: string;
  annotations: string;
  /** Tags and labels together (`bake-file`). */
  all: string;
}

/** One line of the `images` input. */
export interface ImageName {
  name: string;
  enable: boolean;
}

export const TAG_TYPES = [
  'schedule',
  'semver',
  'pep440',
  'match',
  'edge',
  'ref',
  'raw',
  'sha',
] as const;
export type TagType = (typeof TAG_TYPES)[number];

export const REF_EVENTS = ['branch', 'tag', 'pr'] as const;
export type RefEvent = (typeof REF_EVENTS)[number];

export const SHA_FORMATS = ['short', 'long'] as const;
export type ShaFormat = (typeof SHA_FORMATS)[number];

/** Attributes every tag type accepts. Templates are kept as written and rendered at run time. */
interface TagRuleBase {
  /** The line of the `tags` input it came from, for messages. */
  line: string;
  /** Template that must render to `true` or `false`. */
  enable: string;
  priority: number;
  /** Undefined: the flavor's prefix applies. Set (even to ''): it replaces the flavor's. */
  prefix?: string;
  suffix?: string;
}

export interface ScheduleRule extends TagRuleBase {
  type: 'schedule';
  pattern: string;
}
export interface SemverRule extends TagRuleBase {
  type: 'semver' | 'pep440';
  pattern: string;
  value: string;
  /** `match=`: the version is its first capture group in the tag or value. */
  match?: RegExp;
}
export interface MatchRule extends TagRuleBase {
  type: 'match';
  pattern: RegExp;
  group: number;
  value: string;
}
export interface EdgeRule extends TagRuleBase {
  type: 'edge';
  /** '' means the repository's default branch. */
  branch: string;
}
export interface RefRule extends TagRuleBase {
  type: 'ref';
  event: RefEvent;
}
export interface RawRule extends TagRuleBase {
  type: 'raw';
  value: string;
}
export interface ShaRule extends TagRuleBase {
  type: 'sha';
  format: ShaFormat;
}

export type TagRule =
  ScheduleRule | SemverRule | MatchRule | EdgeRule | RefRule | RawRule | ShaRule;

export type LatestMode = 'auto' | 'true' | 'false';

export interface Flavor {
  latest: LatestMode;
  prefix: string;
  /** Whether the prefix also goes on the `latest` tag (`onlatest=true`). */
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
}

/** The git facts tags are computed from: from the workflow event or from the local repo. */
export interface RefContext {
  eventName: string;
  /** Full ref, e.g. refs/tags/v1.2.3 (refs/pull/N/merge for pull_request_target too). */
  ref: string;
  sha: string;
  payload: Record<string, unknown>;
  /** The repository's default branch (GitHub API, else the event payload). */
  defaultBranch: string | undefined;
}

/** What the labels are made of, from the GitHub API or the event payload. */
export interface RepositoryInfo {
  name: string;
  description: string;
  htmlUrl: string;
  license: string;
  defaultBranch: string | undefined;
}
