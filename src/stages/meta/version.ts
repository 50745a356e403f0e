// From the ref, the commit and the tag rules to the version and the image tags. Pure: the
// caller resolves the ref, commit date and default branch first and prints the warnings.
import * as pep440 from '@renovatebot/pep440';
// Only the two functions used: the package index loads every range helper too.
import parseSemver from 'semver/functions/parse';
import validSemver from 'semver/functions/valid';
import type { Flavor, ImageName, MatchRule, RefContext, SemverRule, TagRule } from './model';
import { sanitizeTag } from './sanitize';
import {
  branchOf,
  isRawPattern,
  renderPattern,
  renderTemplate,
  shortSha,
  tagOf,
  type TemplateScope,
} from './templates';
import { InputError } from '../../lib/errors';

export interface Version {
  /** The first tag the highest-priority matching rule produced; the `version` output. */
  main: string | undefined;
  /** Further tags, in rule order, without duplicates. */
  partial: string[];
  latest: boolean;
  /** Rules that matched the ref but could not produce a tag (e.g. a tag that is not semver). */
  warnings: string[];
}

export type TagScope = TemplateScope & Pick<RefContext, 'defaultBranch'>;

/** A candidate tag value and whether `latest=auto` would add `latest` for it. */
interface Candidate {
  value: string;
  autoLatest: boolean;
}

export function computeVersion(rules: TagRule[], flavor: Flavor, scope: TagScope): Version {
  const version: Version = { main: undefined, partial: [], latest: false, warnings: [] };
  for (const rule of rules) {
    if (!isEnabled(rule, scope)) continue;
    const candidate = candidateFor(rule, scope, version.warnings);
    if (!candidate) continue;
    const value = sanitizeTag(withAffixes(candidate.value, rule, flavor, scope));
    if (value === '') continue;
    if (version.main === undefined) {
      version.main = value;
      // The highest-priority rule that produced a tag decides about `latest`.
      version.latest = flavor.latest === 'auto' ? candidate.autoLatest : flavor.latest === 'true';
    } else if (value !== version.main && !version.partial.includes(value)) {
      version.partial.push(value);
    }
  }
  return version;
}

/** The tag names in output order: version, the other tags, then `latest` (with its flavor). */
export function tagNames(version: Version, flavor: Flavor, scope: TemplateScope): string[] {
  if (version.main === undefined) return [];
  const names = [version.main, ...version.partial];
  if (version.latest) {
    const prefix = flavor.prefixLatest ? renderTemplate(flavor.prefix, scope) : '';
    const suffix = flavor.suffixLatest ? renderTemplate(flavor.suffix, scope) : '';
    names.push(sanitizeTag(`${prefix}latest${suffix}`));
  }
  return [...new Set(names)];
}

/** Every enabled image with every tag; bare tags when no image is given. */
export function imageTags(images: ImageName[], names: string[]): string[] {
  const enabled = images.filter((image) => image.enable).map((image) => image.name);
  const refs =
    enabled.length === 0
      ? names
      : enabled.flatMap((image) => names.map((tag) => `${image}:${tag}`));
  return [...new Set(refs)];
}

function isEnabled(rule: TagRule, scope: TagScope): boolean {
  const enabled = renderTemplate(rule.enable, scope).trim();
  if (enabled !== 'true' && enabled !== 'false') {
    throw new InputError(
      'tags',
      `enable= rendered "${enabled}", not true or false, in "${rule.line}"`,
    );
  }
  return enabled === 'true';
}

/** A rule's own prefix/suffix (even empty) replaces the flavor's. */
function withAffixes(value: string, rule: TagRule, flavor: Flavor, scope: TagScope): string {
  const prefix = rule.prefix ?? flavor.prefix;
  const suffix = rule.suffix ?? flavor.suffix;
  return `${renderTemplate(prefix, scope)}${value}${renderTemplate(suffix, scope)}`;
}

function candidateFor(rule: TagRule, scope: TagScope, warnings: string[]): Candidate | undefined {
  const branch = branchOf(scope.ref);
  const tag = tagOf(scope.ref);
  switch (rule.type) {
    case 'schedule':
      if (!scope.eventName.includes('schedule')) return undefined;
      return { value: renderTemplate(rule.pattern, scope), autoLatest: false };
    case 'semver':
    case 'pep440':
      return versionCandidate(rule, scope, warnings);
    case 'match':
      return matchCandidate(rule, scope, warnings);
    case 'edge': {
      if (!branch) return undefined;
      const edgeBranch = rule.branch || scope.defaultBranch;
      return branch === edgeBranch ? { value: 'edge', autoLatest: false } : undefined;
    }
    case 'ref': {
      const value = { branch, tag, pr: pullRequestNumber(scope.ref) }[rule.event];
      // Only a git tag says "this is a release": it alone earns `latest` under latest=auto.
      return value ? { value, autoLatest: rule.event === 'tag' } : undefined;
    }
    case 'raw':
      return { value: renderTemplate(rule.value, scope), autoLatest: false };
    case 'sha':
      if (!scope.sha) return undefined;
      return {
        value: rule.format === 'long' ? scope.sha : shortSha(scope.sha, scope.shortShaLength),
        autoLatest: false,
      };
  }
}

/** refs/pull/7/merge -> "7" ('' for other refs). */
function pullRequestNumber(ref: string): string {
  return /^refs\/pull\/([^/]+)\//.exec(ref)?.[1] ?? '';
}

/** semver, pep440 and match read `value=` when given, else the git tag being built. */
function versionSource(rule: SemverRule | MatchRule, scope: TagScope): string | undefined {
  if (rule.value !== '') return renderTemplate(rule.value, scope);
  const tag = tagOf(scope.ref);
  return tag === '' ? undefined : tag;
}

/** A version in the parts patterns may use ({{raw}}, {{version}}, {{major}}...). */
interface VersionParts {
  raw: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** Pre-, post- and dev releases are not stable. */
  stable: boolean;
}

const VERSION_SCHEMES: Record<
  SemverRule['type'],
  { is: string; parse(raw: string): VersionParts | undefined }
> = {
  semver: {
    is: 'a valid semver version (https://semver.org)',
    parse(raw) {
      const parsed = validSemver(raw) ? parseSemver(raw, { loose: true }) : null;
      if (!parsed) return undefined;
      const { version, major, minor, patch } = parsed;
      return {
        raw: parsed.raw,
        version,
        major,
        minor,
        patch,
        stable: parsed.prerelease.length === 0,
      };
    },
  },
  pep440: {
    is: 'a PEP 440 version',
    parse(raw) {
      const explained = pep440.valid(raw) ? pep440.explain(raw) : null;
      if (!explained) return undefined;
      return {
        raw,
        version: pep440.clean(raw) ?? raw,
        major: pep440.major(raw),
        minor: pep440.minor(raw),
        patch: pep440.patch(raw),
        stable: !(explained.is_prerelease || explained.is_postrelease || explained.is_devrelease),
      };
    },
  },
};

function versionCandidate(
  rule: SemverRule,
  scope: TagScope,
  warnings: string[],
): Candidate | undefined {
  let source = versionSource(rule, scope);
  if (source === undefined) return undefined;
  if (rule.match) {
    const found = rule.match.exec(source)?.[1];
    // As docker/metadata-action: no match is a warning, and the whole value is tried instead.
    if (found === undefined)
      warnings.push(`match=${rule.match.source} does not match ${source} in "${rule.line}"`);
    else source = found;
  }
  const raw = source.replace(/\//g, '-');
  const scheme = VERSION_SCHEMES[rule.type];
  const parts = scheme.parse(raw);
  if (!parts) {
    warnings.push(`${raw} is not ${scheme.is}, so "${rule.line}" gave no tag`);
    return undefined;
  }
  // Pre-releases get only their full version: no short tags like 2.0 or 2, and no latest.
  if (!parts.stable) {
    return { value: isRawPattern(rule.pattern) ? parts.raw : parts.version, autoLatest: false };
  }
  return { value: renderPattern(rule.pattern, parts), autoLatest: true };
}

function matchCandidate(
  rule: MatchRule,
  scope: TagScope,
  warnings: string[],
): Candidate | undefined {
  const raw = versionSource(rule, scope);
  if (raw === undefined) return undefined;
  const match = raw.match(rule.pattern);
  if (!match) {
    warnings.push(`${rule.pattern} does not match ${raw}, so "${rule.line}" gave no tag`);
    return undefined;
  }
  const value = match[rule.group];
  if (value === undefined) {
    warnings.push(
      `${rule.pattern} has no group ${rule.group} in ${raw}, so "${rule.line}" gave no tag`,
    );
    return undefined;
  }
  return { value, autoLatest: true };
}
