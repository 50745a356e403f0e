// The exact command lines: `docker buildx build ...`, and the `docker build ...` fallback used
// when buildx is missing. Pure: secret values never appear here, only the files holding them.
import type { BuildInputs, CachePlan, SecretSource } from './model';

export interface BuildPlan {
  inputs: BuildInputs;
  /** Full image references, labels and annotations after merging meta's results. */
  tags: string[];
  labels: string[];
  annotations: string[];
  cache: CachePlan;
  /** Files holding the values of `secrets` entries, by secret id (written by the runner). */
  secretValueFiles: Record<string, string>;
  metadataFile: string;
  iidFile: string;
  /** Leave out the default provenance (a builder that cannot attest, e.g. the docker driver). */
  withoutDefaultAttestation?: boolean;
}

/** One `--secret` value; fields with commas or quotes get CSV quoting, as buildx parses CSV. */
export function secretArg(secret: SecretSource, valueFiles: Record<string, string>): string {
  const field = (text: string) => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  switch (secret.kind) {
    case 'value':
      return [`id=${secret.id}`, `src=${valueFiles[secret.id]}`].map(field).join(',');
    case 'file':
      return [`id=${secret.id}`, `src=${secret.path}`].map(field).join(',');
    case 'env':
      return [`id=${secret.id}`, `env=${secret.variable}`].map(field).join(',');
  }
}

function repeat(flag: string, values: string[]): string[] {
  return values.flatMap((value) => [flag, value]);
}

/** Exporters that write files, not an image: there is no image ID to record for them. */
function writesFilesOnly(outputs: string[]): boolean {
  return outputs.some(
    (output) =>
      /(?:^|,)\s*type=(?:local|tar)\s*(?:,|$)/.test(output) ||
      // A bare path (no `type=`) is buildx's local exporter; `-` is a tarball on stdout.
      !/(?:^|,)\s*type=/.test(output),
  );
}

/**
 * `image`: the build itself. `cache-export`: the same definition again as a cache-only build
 * that writes the planned cache after the image is out (CachePlan.exportAfter): every step hits
 * the builder's own cache, so it only compresses and uploads cache blobs. It keeps what shapes
 * the steps (args, contexts, secrets, platforms, pull, target, network) and drops what shapes
 * only the image (tags, labels, annotations, attestations, push/load, metadata files).
 */
export function buildxArgs(plan: BuildPlan, purpose: 'image' | 'cache-export' = 'image'): string[] {
  const { inputs } = plan;
  const image = purpose === 'image';
  const args = ['buildx', 'build', '--progress=plain'];
  if (inputs.builder) args.push('--builder', inputs.builder);
  args.push(...repeat('--add-host', inputs.addHosts));
  if (inputs.allow.length > 0) args.push('--allow', inputs.allow.join(','));
  if (image) {
    args.push(...repeat('--annotation', plan.annotations));
    const attestations = plan.withoutDefaultAttestation
      ? inputs.attestations.filter((attest) => attest !== inputs.defaultAttestation)
      : inputs.attestations;
    args.push(...repeat('--attest', attestations));
  }
  args.push(...repeat('--build-arg', inputs.buildArgs));
  args.push(...repeat('--build-context', inputs.buildContexts));
  args.push(...repeat('--cache-from', plan.cache.from));
  if (!image || !plan.cache.exportAfter) args.push(...repeat('--cache-to', plan.cache.to));
  if (image && inputs.call) args.push('--call', inputs.call);
  if (inputs.cgroupParent) args.push('--cgroup-parent', inputs.cgroupParent);
  if (inputs.file) args.push('--file', inputs.file);
  if (image) {
    if (!writesFilesOnly(inputs.outputs)) args.push('--iidfile', plan.iidFile);
    args.push(...repeat('--label', plan.labels));
    if (inputs.load) args.push('--load');
    args.push('--metadata-file', plan.metadataFile);
  }
  if (inputs.network) args.push('--network', inputs.network);
  if (inputs.noCache) args.push('--no-cache');
  args.push(...repeat('--no-cache-filter', inputs.noCacheFilters));
  if (image) {
    args.push(...repeat('--output', inputs.outputs));
    args.push(...repeat('--output', plan.cache.imageOutputs));
  } else {
    args.push('--output', 'type=cacheonly');
  }
  if (inputs.platforms.length > 0) args.push('--platform', inputs.platforms.join(','));
  if (!image) args.push('--provenance=false');
  if (inputs.pull) args.push('--pull');
  if (image && inputs.push) args.push('--push');
  const secrets = inputs.gitAuth ? [...inputs.secrets, inputs.gitAuth] : inputs.secrets;
  args.push(
    ...repeat(
      '--secret',
      secrets.map((s) => secretArg(s, plan.secretValueFiles)),
    ),
  );
  if (inputs.shmSize) args.push('--shm-size', inputs.shmSize);
  args.push(...repeat('--ssh', inputs.ssh));
  if (image) args.push(...repeat('--tag', plan.tags));
  if (inputs.target) args.push('--target', inputs.target);
  args.push(...repeat('--ulimit', inputs.ulimit));
  // `--` ends the flags: a context that starts with `-` is still read as the context.
  args.push('--', inputs.context);
  return args;
}

/**
 * Without buildx: `docker build` through the engine. `buildkit` is the CLI's own BuildKit
 * client (Docker CLI before 23, run with DOCKER_BUILDKIT=1); `legacy` is the classic builder,
 * which newer CLIs use when the buildx plugin is missing. The engine always keeps the image
 * (as --load would); pushing is a separate `docker push`.
 */
export function dockerBuildArgs(plan: BuildPlan, mode: 'buildkit' | 'legacy'): string[] {
  const { inputs } = plan;
  const args = ['build'];
  if (mode === 'buildkit') args.push('--progress=plain');
  args.push(...repeat('--add-host', inputs.addHosts));
  args.push(...repeat('--build-arg', inputs.buildArgs));
  // Inline cache: BuildKit writes cache metadata into the image when asked with this arg.
  if (mode === 'buildkit' && plan.cache.to.includes('type=inline')) {
    args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1');
  }
  args.push(...repeat('--cache-from', plan.cache.from.map(plainCacheRef)));
  if (inputs.file) args.push('--file', inputs.file);
  if (inputs.cgroupParent) args.push('--cgroup-parent', inputs.cgroupParent);
  args.push('--iidfile', plan.iidFile);
  args.push(...repeat('--label', plan.labels));
  if (inputs.network) args.push('--network', inputs.network);
  if (inputs.noCache) args.push('--no-cache');
  if (inputs.platforms.length > 0) args.push('--platform', inputs.platforms[0]);
  if (inputs.pull) args.push('--pull');
  if (mode === 'buildkit') {
    const secrets = inputs.secrets.map((s) => secretArg(s, plan.secretValueFiles));
    args.push(...repeat('--secret', secrets));
    args.push(...repeat('--ssh', inputs.ssh));
  }
  if (inputs.shmSize) args.push('--shm-size', inputs.shmSize);
  args.push(...repeat('--tag', plan.tags));
  if (inputs.target) args.push('--target', inputs.target);
  args.push(...repeat('--ulimit', inputs.ulimit));
  args.push('--', inputs.context);
  return args;
}

/** `type=registry,ref=X` -> `X`: `docker build --cache-from` takes a plain image reference. */
export function plainCacheRef(value: string): string {
  const ref = /(?:^|,)ref=([^,]+)/.exec(value);
  return ref ? ref[1] : value;
}
