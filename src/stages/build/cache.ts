// Turns the `cache` shorthand into buildx `--cache-from`/`--cache-to` values: every stage cached
// (mode=max), one scope per image and branch, pull requests reading the default branch's cache,
// cache blobs compressed fast (zstd when the image outputs can be pinned to gzip, else gzip
// level 1), export errors ignored so a cache hiccup never fails a good build, and the export run
// after the image is out, beside the later stages, when the builder is known to export cache.
import { InputError } from '../../lib/errors';
import type { CacheChoice, CacheKind, CachePlan } from './model';
import { repositoryPath } from './refs';

export interface CacheRequest {
  cache: CacheChoice;
  /** Explicit `cache-from` / `cache-to`: each wins over the shorthand for its direction. */
  cacheFrom: string[];
  cacheTo: string[];
  noCache: boolean;
  noCacheFilters: string[];
  push: boolean;
  load: boolean;
  /** The `outputs` input: when given, the image exporters are the user's, not Gantry's. */
  outputs: string[];
  /** The first image's name (no tag) and its first full reference, when there are any. */
  imageName: string | undefined;
  firstTag: string | undefined;
  target: string;
  /** The branch this build is for and the repository's default branch (see cacheBranches). */
  branch: string;
  defaultBranch: string | undefined;
  cacheDir: string;
  /** The GitHub Actions cache service is reachable (ACTIONS_RUNTIME_TOKEN and a cache URL). */
  ghaAvailable: boolean;
  /** Whether the builder can export cache other than inline; `why` says why not. */
  exportSupport: { supported: true } | { supported: false; why: string };
  /**
   * The builder was asked before the build (`buildx inspect`) and exports cache: only then may
   * the export wait for a cache-only build after the image (a docker-driver builder would
   * need inline cache in the image itself, decided before the build).
   */
  builderKnown: boolean;
  /**
   * The context is a directory here (not a Git repository, URL or stdin): a second build reads
   * the same files, where a branch or URL could have moved on in between.
   */
  localContext: boolean;
}

/** Slug safe in a gha scope, a directory name and a registry tag. */
export function slug(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[.-]+|-+$/g, '')
    .slice(0, 60);
}

/**
 * Which branch's cache a build writes and which it may read as a fallback. Pull requests use
 * their head branch; tag builds share the default branch's cache (they rebuild its commits).
 */
export function cacheBranches(ctx: {
  ref: string;
  headRef: string;
  defaultBranch: string | undefined;
}): { branch: string; defaultBranch: string | undefined } {
  const { ref, headRef, defaultBranch } = ctx;
  let branch: string;
  if (ref.startsWith('refs/heads/')) branch = ref.slice('refs/heads/'.length);
  else if (ref.startsWith('refs/pull/')) branch = headRef || ref.split('/').slice(1, 3).join('-');
  else if (ref.startsWith('refs/tags/')) branch = defaultBranch ?? ref.slice('refs/tags/'.length);
  else branch = defaultBranch ?? (ref || 'local');
  return { branch, defaultBranch };
}

/** What `auto` means here: gha on GitHub's cache service, else registry when pushing, else none. */
export function resolveCacheKind(request: CacheRequest): { kind: CacheKind; reason: string } {
  if (request.cache !== 'auto') return { kind: request.cache, reason: `cache: ${request.cache}` };
  if (request.ghaAvailable) {
    return {
      kind: 'gha',
      reason: 'cache: auto → gha (the GitHub Actions cache service is available)',
    };
  }
  if (request.push && request.imageName) {
    return {
      kind: 'registry',
      reason: `cache: auto → registry (pushing; no GitHub Actions cache service here)`,
    };
  }
  return {
    kind: 'none',
    reason: 'cache: auto → none (no GitHub Actions cache service, not pushing)',
  };
}

function scopes(request: CacheRequest): { own: string; fallback: string | undefined } {
  const image = request.imageName ? slug(repositoryPath(request.imageName)) : 'build';
  const prefix = request.target ? `${image}-${slug(request.target)}` : image;
  const own = `${prefix}-${slug(request.branch)}`;
  const fallback =
    request.defaultBranch && request.defaultBranch !== request.branch
      ? `${prefix}-${slug(request.defaultBranch)}`
      : undefined;
  return { own, fallback };
}

/** `buildcache` on the default branch, `buildcache-<branch>` elsewhere (one tag per scope). */
function registryCacheTag(request: CacheRequest, branch: string): string {
  const parts = ['buildcache'];
  if (request.target) parts.push(slug(request.target));
  const isDefault = request.defaultBranch ? branch === request.defaultBranch : true;
  if (!isDefault) parts.push(slug(branch));
  return parts.join('-').slice(0, 128);
}

/**
 * The image exporters Gantry writes itself (`push`, `load`, no `outputs` input), pinned to gzip
 * layers: `force-compression` converts only blobs that are not gzip already, i.e. a layer whose
 * only blob so far is a zstd cache blob. Empty when the user's `outputs` own the exporters or
 * Gantry exports no image.
 */
function gzipPinnedOutputs(request: CacheRequest): string[] {
  if (request.outputs.length > 0) return [];
  const pinned = 'compression=gzip,force-compression=true';
  return [
    ...(request.push ? [`type=image,${pinned}`] : []),
    ...(request.load ? [`type=docker,${pinned}`] : []),
  ];
}

/**
 * How planned cache blobs are compressed. mode=max exports the builder stages' layers too, and
 * compressing a changed compile layer (a Go build cache: ~90 MB) at gzip's default level took
 * 3.3 s of a 3.5 s export on every source change. Measured on the testbed, one line of the
 * example service changed, whole cache export: gzip level 1 ~2.0 s, zstd level 3 ~1.4 s, zstd
 * level 1 ~0.9 s. zstd only when every image exporter is pinned to gzip: BuildKit otherwise
 * reuses a layer's zstd cache blob in later images, which Docker engines before 23 cannot pull
 * ("archive/tar: invalid tar header").
 */
function cacheCompression(zstd: boolean): string {
  return zstd ? 'compression=zstd,compression-level=1' : 'compression=gzip,compression-level=1';
}

function planFor(
  kind: CacheKind,
  request: CacheRequest,
  zstd: boolean,
): { from: string[]; to: string[] } {
  const { own, fallback } = scopes(request);
  const exportOptions = `mode=max,ignore-error=true,${cacheCompression(zstd)}`;
  switch (kind) {
    case 'none':
      return { from: [], to: [] };
    case 'gha':
      return {
        from: [own, fallback].filter(isSet).map((scope) => `type=gha,scope=${scope}`),
        to: [`type=gha,scope=${own},${exportOptions}`],
      };
    case 'local':
      return {
        from: [own, fallback]
          .filter(isSet)
          .map((scope) => `type=local,src=${request.cacheDir}/${scope}`),
        to: [`type=local,dest=${request.cacheDir}/${own},${exportOptions}`],
      };
    case 'registry': {
      const name = requireImage(request, 'registry');
      const ownRef = `${name}:${registryCacheTag(request, request.branch)}`;
      const fallbackRef = request.defaultBranch
        ? `${name}:${registryCacheTag(request, request.defaultBranch)}`
        : undefined;
      return {
        from: [ownRef, fallbackRef !== ownRef ? fallbackRef : undefined]
          .filter(isSet)
          .map((ref) => `type=registry,ref=${ref}`),
        // An image manifest (not an index) is what registries such as ECR accept for cache.
        to: [
          `type=registry,ref=${ownRef},${exportOptions},image-manifest=true,oci-mediatypes=true`,
        ],
      };
    }
    case 'inline':
      // Inline cache lives in the image itself: it can only hold the final stage (mode=min).
      return {
        from: request.firstTag ? [`type=registry,ref=${request.firstTag}`] : [],
        to: ['type=inline'],
      };
  }
}

function requireImage(request: CacheRequest, kind: string): string {
  if (!request.imageName) {
    throw new InputError(
      'cache',
      `cache: ${kind} stores the cache next to the image, but this build has no image name; ` +
        'set `images` or `tags`, or choose gha, local or none',
    );
  }
  return request.imageName;
}

function isSet<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** The `type=` of a cache-to value (a bare reference means registry). */
export function cacheExportType(value: string): string {
  const match = /(?:^|,)type=([^,]+)/.exec(value);
  return match ? match[1] : 'registry';
}

export function planCache(request: CacheRequest): CachePlan {
  const resolved = resolveCacheKind(request);
  const reasons = [resolved.reason];
  let kind = resolved.kind;
  const support = request.exportSupport;
  if (!support.supported && kind !== 'none' && kind !== 'inline') {
    if (request.cache !== 'auto') {
      throw new InputError(
        'cache',
        `cache: ${kind} needs a builder that exports cache, but ${support.why}; ` +
          'use cache: inline (or none), or a docker-container/remote builder (docker/setup-buildx-action)',
      );
    }
    kind = 'inline';
    reasons.push(`inline instead of ${resolved.kind}: ${support.why}`);
  }
  if (!support.supported) {
    const blocked = request.cacheTo.filter((value) => cacheExportType(value) !== 'inline');
    if (blocked.length > 0) {
      throw new InputError(
        'cache-to',
        `${blocked.join(', ')} needs a builder that exports cache, but ${support.why}; ` +
          'only type=inline works here',
      );
    }
  }
  // Blobs are exported (and may be zstd) for every kind but none and inline (inside the image).
  const pinned = kind === 'none' || kind === 'inline' ? [] : gzipPinnedOutputs(request);
  const planned = planFor(kind, request, pinned.length > 0);
  let from = planned.from;
  let to = planned.to;
  if (request.cacheFrom.length > 0) {
    from = request.cacheFrom;
    reasons.push('cache-from given: used instead of the planned sources');
  } else if (request.noCache && from.length > 0) {
    from = [];
    reasons.push('no-cache: nothing is read from the cache (it is still written)');
  }
  let imageOutputs = pinned;
  if (request.cacheTo.length > 0) {
    to = request.cacheTo;
    imageOutputs = [];
    reasons.push('cache-to given: used instead of the planned destination');
  } else if (pinned.length > 0) {
    reasons.push(
      'cache blobs zstd (fast to export), image layers kept gzip (any engine pulls them)',
    );
  }
  const exportAfter = exportsAfterImage(request, imageOutputs);
  if (exportAfter) {
    reasons.push('cache exported after the image is out, beside the later stages');
  }
  return { kind, from, to, imageOutputs, exportAfter, reasons };
}

/**
 * Whether the cache export leaves the image's critical path: a cache-only build of the same
 * definition, run once the image is pushed or loaded, hits every step in the builder's own cache
 * and spends its time compressing and uploading cache blobs (a changed compile layer: ~1 s)
 * while scan and deploy run. Only for Gantry's own plan written beside Gantry's own image
 * exporters, on a builder known to export, and only when that second build cannot rebuild
 * anything (no-cache or no-cache-filters would run the steps again; a Git or URL context could
 * have moved on).
 */
function exportsAfterImage(request: CacheRequest, imageOutputs: string[]): boolean {
  return (
    request.builderKnown &&
    request.localContext &&
    // Gantry's own image exporters: its own cache plan, exported (not inline, not none).
    imageOutputs.length > 0 &&
    !request.noCache &&
    request.noCacheFilters.length === 0
  );
}
