// One build from parsed inputs to a BuildResult: merge meta's tags, labels and annotations,
// choose buildx or the fallback, plan the cache, build, push, and read back what was made.
import * as core from '@actions/core';
import * as path from 'path';
import type { Context } from '../../context';
import type { PipelineResults } from '../types';
import { buildxArgs, dockerBuildArgs, type BuildPlan } from './argv';
import { canExportCache } from './builder-info';
import {
  buildxInstalled,
  dockerCliVersion,
  dockerPush,
  engineImageSize,
  inspectBuilder,
  readIfExists,
  registryImageSize,
  runBuild,
  withWorkDir,
  writeSecretFiles,
} from './buildx';
import { cacheBranches, cacheExportType, planCache, type CacheRequest } from './cache';
import { fallbackBlocker, fallbackMode, fallbackWarning } from './fallback';
import { fallbackMetadata, pushedDigest, readBuildxIdentity, type BuildIdentity } from './metadata';
import type { BuildInputs, BuildResult, BuilderKind, CachePlan, SecretSource } from './model';
import { countSteps, exportedManifest, parseBuildSteps } from './progress';
import { resolveNaming } from './naming';
import { retryingPush } from './push-retry';
import { imageName, pinDigest } from './refs';

function ghaCacheAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
}

/** The fallback's `docker build` cannot read env secrets itself: give it their values as files. */
function secretsForFallback(secrets: SecretSource[], env: NodeJS.ProcessEnv): SecretSource[] {
  return secrets.map((secret) =>
    secret.kind === 'env'
      ? { id: secret.id, kind: 'value', value: env[secret.variable] ?? '' }
      : secret,
  );
}

function maskSecrets(secrets: SecretSource[], env: NodeJS.ProcessEnv): void {
  for (const secret of secrets) {
    const value =
      secret.kind === 'value' ? secret.value : secret.kind === 'env' ? env[secret.variable] : '';
    if (!value) continue;
    core.setSecret(value);
    // The runner masks line by line, so each line of a multi-line value is masked too.
    for (const line of value.split(/\r?\n/)) if (line.trim().length > 3) core.setSecret(line);
  }
}

interface Built extends BuildIdentity {
  builder: BuilderKind;
  log: string;
  sizeBytes: number | undefined;
}

type ExportSupport = CacheRequest['exportSupport'];

export async function runBuildStage(
  inputs: BuildInputs,
  ctx: Context,
  previous: PipelineResults,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BuildResult> {
  maskSecrets(inputs.secrets, env);
  for (const warning of inputs.warnings) core.warning(warning);
  const naming = resolveNaming(inputs, previous);
  const cwd = ctx.workspace;

  const cacheFor = (exportSupport: ExportSupport): CachePlan => {
    const cache = planCache({
      cache: inputs.cache,
      cacheFrom: inputs.cacheFrom,
      cacheTo: inputs.cacheTo,
      noCache: inputs.noCache,
      push: inputs.push,
      imageName: naming.tags[0] ? imageName(naming.tags[0]) : undefined,
      firstTag: naming.tags[0],
      target: inputs.target,
      ...cacheBranches(ctx),
      cacheDir: path.resolve(cwd, inputs.cacheDir),
      ghaAvailable: ghaCacheAvailable(env),
      exportSupport,
    });
    core.info(`Cache plan: ${cache.reasons.join('; ')}`);
    for (const value of cache.from) core.info(`  cache-from ${value}`);
    for (const value of cache.to) core.info(`  cache-to   ${value}`);
    return cache;
  };
  let cache = cacheFor({ supported: true });

  const started = Date.now();
  const built = await withWorkDir(async (dir): Promise<Built> => {
    const planWith = (plannedCache: CachePlan, secrets: SecretSource[]): BuildPlan => ({
      inputs: { ...inputs, secrets },
      ...naming,
      cache: plannedCache,
      secretValueFiles: writeSecretFiles(dir, secrets),
      metadataFile: path.join(dir, 'metadata.json'),
      iidFile: path.join(dir, 'iid'),
    });
    const withBuildx = async (plan: BuildPlan): Promise<Built> => {
      const log = await retryingPush(() => runBuild(buildxArgs(plan), { cwd }), core.warning);
      const identity = readBuildxIdentity(
        readIfExists(plan.metadataFile),
        readIfExists(plan.iidFile),
      );
      return { ...identity, builder: 'buildx', log, sizeBytes: undefined };
    };

    // buildx first, without asking: on a normal machine that saves a round trip per build.
    // Only a failure asks why: no buildx at all, or a docker-driver builder that cannot export
    // the planned cache (buildx refuses those before building anything).
    try {
      return await withBuildx(planWith(cache, inputs.secrets));
    } catch (err) {
      if (!(await buildxInstalled(cwd))) {
        const cliVersion = await dockerCliVersion(cwd);
        cache = cacheFor({ supported: false, why: 'buildx is not installed' });
        return await withDockerBuild(cliVersion, cache);
      }
      const exportsCache = cache.to.some((value) => cacheExportType(value) !== 'inline');
      if (!exportsCache) throw err;
      const support = canExportCache(await inspectBuilder(inputs.builder, cwd));
      if (support.supported) throw err;
      cache = cacheFor(support); // inline for `auto`; a clear InputError for an explicit kind
      core.warning(`Building again with inline cache: ${support.why}.`);
      return await withBuildx(planWith(cache, inputs.secrets));
    }

    async function withDockerBuild(cliVersion: string, plannedCache: CachePlan): Promise<Built> {
      const mode = fallbackMode(cliVersion);
      const explicitAnnotations = !previous.meta && inputs.annotations.length > 0;
      const blocker = fallbackBlocker(inputs, mode, explicitAnnotations);
      if (blocker) throw blocker;
      core.warning(fallbackWarning(mode, cliVersion));
      const plan = planWith(plannedCache, secretsForFallback(inputs.secrets, env));
      const log = await runBuild(dockerBuildArgs(plan, mode), {
        cwd,
        env: { ...env, DOCKER_BUILDKIT: mode === 'buildkit' ? '1' : '0' },
      });
      const imageId = readIfExists(plan.iidFile).trim();
      let digest = '';
      if (inputs.push) {
        for (const tag of naming.tags) {
          const pushed = pushedDigest(await dockerPush(tag, cwd));
          digest ||= pushed;
        }
      }
      return {
        imageId,
        digest,
        metadata: fallbackMetadata(imageId, digest, naming.tags),
        builder: mode === 'buildkit' ? 'docker-buildkit' : 'docker-legacy',
        log,
        sizeBytes: await engineImageSize(imageId, cwd),
      };
    }
  });
  const durationMs = Date.now() - started;

  const image = built.digest && naming.tags[0] ? pinDigest(naming.tags[0], built.digest) : '';
  let sizeBytes = built.sizeBytes;
  if (sizeBytes === undefined && built.builder === 'buildx') {
    if (inputs.load && built.imageId) sizeBytes = await engineImageSize(built.imageId, cwd);
    else if (inputs.push && image) {
      const manifest = exportedManifest(built.log);
      sizeBytes = await registryImageSize(image, manifest, inputs.builder, cwd);
    }
  }
  const result: BuildResult = {
    imageId: built.imageId,
    digest: built.digest,
    image,
    metadata: built.metadata,
    tags: naming.tags,
    builder: built.builder,
    pushed: inputs.push,
    loaded: inputs.load || built.builder !== 'buildx',
    sizeBytes,
    durationMs,
    steps: countSteps(parseBuildSteps(built.log)),
    cache,
  };
  core.info(`Image: ${result.image || '(not pushed)'}`);
  core.info(`Digest: ${result.digest || '(none)'}`);
  core.info(`Image ID: ${result.imageId || '(none)'}`);
  core.info(`Cached steps: ${result.steps.cached} of ${result.steps.total}`);
  return result;
}
