// What the build stage hands to scan and deploy, and the typed inputs it parsed.
import type { BackgroundOutcome } from '../types';
import type { BuildEnvSettings } from './build-env';
import type { CheckFinding } from './checks';

export interface BuildResult {
  imageId: string;
  /** Manifest (or index) digest, sha256:... */
  digest: string;
  /** The first image name pinned by digest (repo@sha256:...), used by scan and deploy. */
  image: string;
  /** buildx metadata JSON. */
  metadata: Record<string, unknown>;
  /** The image references the build was tagged with. */
  tags: string[];
  /** `buildx`, or the fallback that ran when buildx is missing. */
  builder: BuilderKind;
  pushed: boolean;
  loaded: boolean;
  /** Image size in bytes (uncompressed when loaded, else the pushed layers), if known. */
  sizeBytes: number | undefined;
  durationMs: number;
  steps: StepCounts;
  cache: CachePlan;
  /** `call` other than build: what was evaluated, and the check findings (for `check`). */
  call:
    { method: CallMethod; findings: CheckFinding[]; output: string; failed: boolean } | undefined;
  /** Build check warnings the build itself recorded (BUILDX_METADATA_WARNINGS). */
  warnings: CheckFinding[];
  /** Whether the job summary gets the build section (DOCKER_BUILD_SUMMARY). */
  summary: boolean;
  /** The cache export still running beside the later stages (CachePlan.exportAfter). */
  cacheExport?: Promise<BackgroundOutcome>;
  /**
   * Only in what the build hands on early (with the tags): buildx has started, and the main
   * thread has nothing to do until the push.
   */
  building?: boolean;
}

export type BuilderKind = 'buildx' | 'docker-buildkit' | 'docker-legacy';

export interface StepCounts {
  /** Dockerfile steps the build ran or reused. */
  total: number;
  /** Of those, the ones BuildKit (or the legacy builder) took from the cache. */
  cached: number;
}

/** The `cache` shorthand. `auto` resolves at run time (see planCache). */
export const CACHE_CHOICES = ['auto', 'gha', 'registry', 'local', 'inline', 'none'] as const;
export type CacheChoice = (typeof CACHE_CHOICES)[number];
export type CacheKind = Exclude<CacheChoice, 'auto'>;

export interface CachePlan {
  kind: CacheKind;
  /** `--cache-from` values, most specific first. */
  from: string[];
  /** `--cache-to` values. */
  to: string[];
  /**
   * `--output` values Gantry adds for its own push / load, pinning image layers to gzip while
   * the cache blobs are zstd (see gzipPinnedOutputs); empty otherwise.
   */
  imageOutputs: string[];
  /**
   * The `to` values are exported by a cache-only build after the image is out (beside scan and
   * deploy), not by the image's build; see exportsAfterImage.
   */
  exportAfter: boolean;
  /** Why the plan is what it is, one line per decision, for the log and summary. */
  reasons: string[];
}

/** A build secret: its value comes from the input, a file, or an environment variable. */
export type SecretSource =
  | { id: string; kind: 'value'; value: string }
  | { id: string; kind: 'file'; path: string }
  | { id: string; kind: 'env'; variable: string };

/** `call` methods buildx evaluates instead of (or as) a build. */
export const CALL_METHODS = ['build', 'check', 'outline', 'targets'] as const;
export type CallMethod = (typeof CALL_METHODS)[number];

/** Where the build context came from, for the log. */
export type ContextOrigin = 'input' | 'workspace' | 'git';

export interface BuildInputs {
  /** The context buildx gets (`{{defaultContext}}` rendered). */
  context: string;
  contextOrigin: ContextOrigin;
  /** The run's repository as a Git context (build-push-action's default). */
  defaultContext: string;
  /** The `GIT_AUTH_TOKEN.<host>` secret from `github-token`, when the Git context is used. */
  gitAuth: SecretSource | undefined;
  /** The Dockerfile as given ('' = `<context>/Dockerfile`). */
  file: string;
  target: string;
  platforms: string[];
  buildArgs: string[];
  buildContexts: string[];
  secrets: SecretSource[];
  ssh: string[];
  push: boolean;
  load: boolean;
  outputs: string[];
  cache: CacheChoice;
  /** Directory for `cache: local` (one subdirectory per scope). */
  cacheDir: string;
  cacheFrom: string[];
  cacheTo: string[];
  noCache: boolean;
  noCacheFilters: string[];
  pull: boolean;
  provenance: string;
  sbom: string;
  attests: string[];
  /** The `--attest` values (provenance, sbom, attests and the default provenance). */
  attestations: string[];
  /** Of those, the default provenance (no provenance asked for), which a builder may lack. */
  defaultAttestation: string | undefined;
  /** `--call` as passed ('' = a plain build) and its method. */
  call: string;
  callMethod: CallMethod;
  cgroupParent: string;
  network: string;
  addHosts: string[];
  shmSize: string;
  ulimit: string[];
  allow: string[];
  builder: string;
  /** `tags`, `labels`, `annotations` inputs as given; meta's results are merged at run time. */
  tags: string[];
  labels: string[];
  annotations: string[];
  /** Whether the meta stage's `images` input names any image (meta will supply tags). */
  metaImagesGiven: boolean;
  env: BuildEnvSettings;
  /** Things worth a warning that do not stop the build (credential-looking build args). */
  warnings: string[];
}
