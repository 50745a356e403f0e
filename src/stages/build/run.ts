// One build from parsed inputs to a BuildResult: merge meta's names, run the planned attempts in
// order (plan.ts) until one succeeds, and read back what was made. After a failed push, the
// registry is asked which tags moved, so the error says so.
import * as core from '@actions/core';
import type { Context } from '../../context';
import { CommandError, shortenCommand, tail } from '../../lib/exec';
import { errorMessage } from '../../lib/errors';
import { normalizedRepository } from '../../lib/image-reference';
import type { BackgroundOutcome, PipelineResults } from '../types';
import { buildxArgs, dockerBuildArgs, type BuildPlan } from './argv';
import { canAttest, canExportCache } from './builder-info';
import {
  buildxInstalled,
  dockerCliVersion,
  dockerPush,
  engineImageSize,
  inspectBuilder,
  probeBuilder,
  readIfExists,
  registryImageSize,
  runBuild,
  runCall,
  runQuietBuild,
  tagDigest,
  withWorkDir,
  writeSecretFiles,
} from './buildx';
import { cacheExportType } from './cache';
import {
  checkAnnotations,
  checkVerdict,
  metadataWarnings,
  parseCheckResults,
  type CheckFinding,
} from './checks';
import { fallbackBlocker, fallbackMode, fallbackWarning } from './fallback';
import { gitSubdir } from './git-context';
import { fallbackMetadata, pushedDigest, readBuildxIdentity, type BuildIdentity } from './metadata';
import type { BuildInputs, BuildResult, BuilderKind, CachePlan, SecretSource } from './model';
import { resolveNaming, type ImageNaming } from './naming';
import { describeTags, pushedDigestFromLog, tagReport, type TagState } from './partial-push';
import {
  buildAttempts,
  buildPlan,
  buildxSecrets,
  fallbackSecrets,
  nextAttempt,
  type Attempt,
  type Diagnosis,
} from './plan';
import { countSteps, exportedManifest, parseBuildSteps, pushedManifest } from './progress';
import { retryingPush } from './push-retry';
import { pinDigest } from './refs';

function ghaCacheAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL));
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
  call: BuildResult['call'];
}

/** How often buildx may print its plain progress, in ms (BuildKit's default: 100). */
const PROGRESS_RATE_MS = 10;

/** The cache export's `nice` value (buildx's client; BuildKit's own work runs as it always does). */
const EXPORT_NICENESS = 10;

const CONTEXT_ORIGINS = {
  input: 'the `context` input',
  workspace: 'no `context` given; the workspace holds a checkout',
  git: 'the Git context of this run (as docker/build-push-action builds without `context`)',
};

/** Runs one attempt of the plan. */
async function runAttempt(
  attempt: Attempt,
  plan: BuildPlan,
  cwd: string,
  env: NodeJS.ProcessEnv,
  previous: PipelineResults,
  { onLine, onStart }: Pick<AttemptContext, 'onLine' | 'onStart'> = {},
): Promise<Built> {
  const { inputs } = plan;
  if (attempt.kind === 'buildx') {
    // buildx records the build's check warnings in the metadata file only when asked. Its plain
    // progress prints at most every 100 ms (BuildKit's progressui, TTY_DISPLAY_RATE in ms, for
    // plain output too): the line saying the image is pushed, which starts the scan, came up to
    // 100 ms after the push. 10 ms, unless the environment says otherwise.
    const buildEnv = {
      ...env,
      BUILDX_METADATA_WARNINGS: 'true',
      TTY_DISPLAY_RATE: env.TTY_DISPLAY_RATE || String(PROGRESS_RATE_MS),
    };
    if (inputs.callMethod !== 'build') return await runEvaluation(plan, cwd, buildEnv);
    const log = await retryingPush(
      () => runBuild(buildxArgs(plan), { cwd, env: buildEnv, onLine, onStart }),
      core.warning,
    );
    const identity = readBuildxIdentity(
      readIfExists(plan.metadataFile),
      readIfExists(plan.iidFile),
    );
    return { ...identity, builder: 'buildx', log, sizeBytes: undefined, call: undefined };
  }
  const cliVersion = await dockerCliVersion(cwd);
  const mode = fallbackMode(cliVersion);
  const explicitAnnotations = !previous.meta && inputs.annotations.length > 0;
  const blocker = fallbackBlocker(inputs, mode, explicitAnnotations);
  if (blocker) throw blocker;
  core.warning(fallbackWarning(mode, cliVersion));
  const log = await runBuild(dockerBuildArgs(plan, mode), {
    cwd,
    env: { ...env, DOCKER_BUILDKIT: mode === 'buildkit' ? '1' : '0' },
  });
  const imageId = readIfExists(plan.iidFile).trim();
  let digest = '';
  if (inputs.push) {
    for (const tag of plan.tags) {
      const pushed = pushedDigest(await dockerPush(tag, cwd));
      digest ||= pushed;
    }
  }
  return {
    imageId,
    digest,
    metadata: fallbackMetadata(imageId, digest, plan.tags),
    builder: mode === 'buildkit' ? 'docker-buildkit' : 'docker-legacy',
    log,
    sizeBytes: await engineImageSize(imageId, cwd),
    call: undefined,
  };
}

/** `call: check|outline|targets`: buildx evaluates the build instead of running it. */
async function runEvaluation(plan: BuildPlan, cwd: string, env: NodeJS.ProcessEnv): Promise<Built> {
  const args = buildxArgs(plan);
  const result = await runCall(args, { cwd, env });
  const method = plan.inputs.callMethod;
  let findings: CheckFinding[] = [];
  if (method === 'check') {
    const parsed = parseCheckResults(result.stdout);
    if (parsed === undefined && result.exitCode !== 0) {
      throw new CommandError(`docker ${args.join(' ')}`, result);
    }
    findings = parsed ?? [];
  } else if (result.exitCode !== 0) {
    throw new CommandError(`docker ${args.join(' ')}`, result);
  }
  return {
    imageId: '',
    digest: '',
    metadata: {},
    builder: 'buildx',
    log: `${result.stderr}\n${result.stdout}`,
    sizeBytes: undefined,
    call: { method, findings, output: result.stdout, failed: result.exitCode !== 0 },
  };
}

/** Why an attempt failed, as far as the next attempt cares (asked only after a failure). */
async function diagnose(inputs: BuildInputs, cwd: string): Promise<Diagnosis> {
  if (!(await buildxInstalled(cwd))) {
    return { buildx: false, cliVersion: await dockerCliVersion(cwd) };
  }
  const builder = await inspectBuilder(inputs.builder, cwd);
  return { buildx: true, exportSupport: canExportCache(builder), attestations: canAttest(builder) };
}

/** BuildKit's own error line (`ERROR: failed to build: ...`), the reason a reader wants first. */
function buildkitReason(output: string): string | undefined {
  const lines = output.trimEnd().split('\n').reverse();
  const line = lines.find((l) => /^(?:#\d+ )?ERROR:? /.test(l));
  return line?.replace(/^(?:#\d+ )?ERROR:? /, '').trim();
}

/** The error a failed build ends with: the reason, the log's end, the tags' state, the command. */
async function failedBuild(
  err: unknown,
  inputs: BuildInputs,
  naming: ImageNaming,
  cwd: string,
): Promise<unknown> {
  if (!(err instanceof CommandError)) return err;
  const output = `${err.result.stderr}\n${err.result.stdout}`;
  const parts: string[] = [];
  const reason = buildkitReason(output);
  if (reason) parts.push(`The build failed: ${reason}`);
  parts.push(tail(err.result.stderr || err.result.stdout, 15));
  if (inputs.push && naming.tags.length > 0) {
    const digest = pushedDigestFromLog(output);
    if (digest) {
      const states: Record<string, TagState> = {};
      for (const tag of naming.tags) states[tag] = await tagDigest(tag, inputs.builder, cwd);
      parts.push(describeTags(digest, tagReport(digest, states)));
    }
  }
  parts.push(`(exit code ${err.result.exitCode} from ${shortenCommand(err.command)})`);
  const failure = new Error(parts.join('\n'));
  failure.name = 'BuildError';
  return failure;
}

function annotate(findings: CheckFinding[], inputs: BuildInputs): void {
  if (findings.length === 0) return;
  if (!inputs.env.checksAnnotations) {
    core.info(
      `${findings.length} build check finding(s); annotations off (DOCKER_BUILD_CHECKS_ANNOTATIONS=false)`,
    );
    return;
  }
  const where = { file: inputs.file, context: inputs.context, gitSubdir: gitSubdir(inputs) };
  for (const annotation of checkAnnotations(findings, where)) {
    if (annotation.level === 'error') core.error(annotation.message, annotation.properties);
    else core.warning(annotation.message, annotation.properties);
  }
}

interface AttemptContext {
  inputs: BuildInputs;
  naming: ImageNaming;
  cwd: string;
  env: NodeJS.ProcessEnv;
  previous: PipelineResults;
  /** Each line of buildx's progress as it comes (the push of the image, seen early). */
  onLine?: (line: string) => void;
  /** Once buildx has started. */
  onStart?: () => void;
}

/**
 * The cache export the plan moved after the image (CachePlan.exportAfter): a cache-only build of
 * the same definition, its log kept for a failure. It resolves with how it went, never throws:
 * the image is out already, and a lost cache export costs only the next build's hits.
 */
async function exportCacheAfter(
  plan: BuildPlan,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<BackgroundOutcome> {
  const started = Date.now();
  const where = plan.cache.to.join(' ');
  try {
    // At a lower priority: on a busy runner the scan and the deploy, which the job waits for,
    // go first; the export still ends before them on the testbed (it is mostly waiting).
    // Nor does it ask git about the context (buildx's six git processes in a checkout): a
    // cache-only build writes no image, label or provenance for that to go into, and the
    // cache it writes is the same either way.
    const result = await runQuietBuild(buildxArgs(plan, 'cache-export'), {
      cwd,
      env: { ...env, BUILDX_GIT_INFO: 'false', BUILDX_GIT_LABELS: 'false' },
      niceness: EXPORT_NICENESS,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    if (result.exitCode === 0) {
      return {
        failed: false,
        message: `cache exported after the image, beside the later stages: ${seconds} s (${where})`,
      };
    }
    const output = `${result.stderr}\n${result.stdout}`;
    return {
      failed: true,
      message:
        `the cache export after the image failed after ${seconds} s (the image stands; the next ` +
        `build may miss the cache): ${buildkitReason(output) ?? tail(output, 10)}`,
    };
  } catch (err) {
    return {
      failed: true,
      message: `the cache export after the image failed: ${errorMessage(err)}`,
    };
  }
}

/** Runs the plan's attempts in order, each after the failure it answers, until one succeeds. */
async function runAttempts(
  attempts: Attempt[],
  { inputs, naming, cwd, env, previous, onLine, onStart }: AttemptContext,
  dir: string,
  keepUntil: (work: Promise<unknown>) => void,
): Promise<{ built: Built; cache: CachePlan; cacheExport?: Promise<BackgroundOutcome> }> {
  let index = 0;
  let cache = attempts[0].cache(undefined);
  let withDefaultAttestation = attempts[0].withDefaultAttestation(undefined);
  // The builder, asked up front, is a docker-driver one: say what Gantry's defaults gave way to.
  const builder = `"${inputs.builder || 'default'}"`;
  // (An explicit gha/registry/local there is an InputError from the plan; only auto gives way.)
  if (cache.kind === 'inline' && inputs.cache === 'auto') {
    core.warning(
      `Inline cache instead of the planned cache: the builder ${builder} uses the docker ` +
        'driver, which exports no other cache (a docker-container builder, e.g. from ' +
        'docker/setup-buildx-action, does).',
    );
  }
  if (!withDefaultAttestation && inputs.defaultAttestation) {
    core.info(
      `No default provenance attestation: the builder ${builder} takes no attestations (docker driver).`,
    );
  }
  for (;;) {
    const attempt = attempts[index];
    core.info(`Cache plan: ${cache.reasons.join('; ')}`);
    for (const value of cache.from) core.info(`  cache-from ${value}`);
    for (const value of cache.to) core.info(`  cache-to   ${value}`);
    const secrets =
      attempt.kind === 'buildx' ? buildxSecrets(inputs) : fallbackSecrets(inputs.secrets, env);
    const plan = buildPlan(inputs, naming, cache, secrets, dir, withDefaultAttestation);
    writeSecretFiles(secrets, plan.secretValueFiles);
    try {
      const built = await runAttempt(attempt, plan, cwd, env, previous, { onLine, onStart });
      if (attempt.kind !== 'buildx' || built.call || !cache.exportAfter) return { built, cache };
      const cacheExport = exportCacheAfter(plan, cwd, env);
      keepUntil(cacheExport);
      return { built, cache, cacheExport };
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const diagnosis = await diagnose(inputs, cwd);
      const next = nextAttempt(attempts, index, diagnosis, { cache, withDefaultAttestation });
      if (next === undefined) throw await failedBuild(err, inputs, naming, cwd);
      const exported = cache.to.some((value) => cacheExportType(value) !== 'inline');
      const hadDefaultAttestation = withDefaultAttestation && inputs.defaultAttestation;
      index = next;
      cache = attempts[next].cache(diagnosis);
      withDefaultAttestation = attempts[next].withDefaultAttestation(diagnosis);
      if (diagnosis.buildx && !diagnosis.exportSupport.supported && exported) {
        core.warning(`Building again with inline cache: ${diagnosis.exportSupport.why}.`);
      }
      if (diagnosis.buildx && hadDefaultAttestation && !withDefaultAttestation) {
        core.warning(
          'Building again without the default provenance attestation: the builder ' +
            `"${inputs.builder || 'default'}" takes no attestations (docker driver).`,
        );
      }
    }
  }
}

/** Bytes of the image: in the engine when loaded, else what a pull of the pushed one fetches. */
async function imageSize(
  built: Built,
  image: string,
  inputs: BuildInputs,
  cwd: string,
): Promise<number | undefined> {
  if (built.sizeBytes !== undefined || built.builder !== 'buildx' || built.call) {
    return built.sizeBytes;
  }
  if (inputs.load && built.imageId) return engineImageSize(built.imageId, cwd);
  if (inputs.push && image) {
    return registryImageSize(image, exportedManifest(built.log), inputs.builder, cwd);
  }
  return undefined;
}

/**
 * Watches buildx: once it has started it hands on the tags, and at the push of the first tag
 * the image, which from that line on can be pulled by digest, so the later stages' early work
 * (the scan, the deploy's dry run) starts then rather than once buildx has written its
 * metadata and exited. The digest the build finally reports is what counts; a different one
 * is handed on again.
 */
function pushWatch(
  inputs: BuildInputs,
  naming: ImageNaming,
  early: ((partial: Partial<BuildResult>) => void) | undefined,
): { onLine?: (line: string) => void; onStart?: () => void; announced: () => string } {
  let announced = '';
  const first = naming.tags[0];
  const repository = first ? normalizedRepository(first) : undefined;
  if (!early || !inputs.push || inputs.callMethod !== 'build' || !repository)
    return { announced: () => announced };
  let underWay = false;
  // The tags about to be pushed, once buildx is under way: the later stages' early work that
  // needs no image (the deploy's apply computed with a stand-in for the digest, its connection
  // to the cluster) runs while buildx starts and works. Not before buildx starts, which it
  // would hold up, nor at the push, where it would hold up the scan's start.
  const started = () => {
    if (underWay) return;
    underWay = true;
    try {
      early({ tags: naming.tags, building: true });
    } catch {
      // Optional, like the push's.
    }
  };
  return {
    announced: () => announced,
    onStart: started,
    onLine: (line) => {
      if (announced) return;
      started();
      const digest = pushedManifest(line, repository);
      if (!digest) return;
      announced = digest;
      try {
        early({ image: pinDigest(first, digest), digest, pushed: true });
      } catch {
        // Early work is optional: the stage hands the image on again once buildx has exited.
        announced = '';
      }
    },
  };
}

export async function runBuildStage(
  inputs: BuildInputs,
  ctx: Context,
  previous: PipelineResults,
  env: NodeJS.ProcessEnv = process.env,
  early?: (partial: Partial<BuildResult>) => void,
): Promise<BuildResult> {
  maskSecrets(buildxSecrets(inputs), env);
  for (const warning of inputs.warnings) core.warning(warning);
  for (const note of inputs.env.notes) core.info(note);
  core.info(`Context: ${inputs.context} (${CONTEXT_ORIGINS[inputs.contextOrigin]})`);
  const naming = resolveNaming(inputs, previous);
  const cwd = ctx.workspace;
  const attempts = buildAttempts(inputs, naming, {
    workspace: cwd,
    ref: ctx.ref,
    headRef: ctx.headRef,
    defaultBranch: ctx.defaultBranch,
    ghaAvailable: ghaCacheAvailable(env),
    builder: await probeBuilder(inputs.builder, cwd),
  });

  const started = Date.now();
  const pushed = pushWatch(inputs, naming, early);
  const { built, cache, cacheExport } = await withWorkDir((dir, keepUntil) =>
    runAttempts(
      attempts,
      { inputs, naming, cwd, env, previous, onLine: pushed.onLine, onStart: pushed.onStart },
      dir,
      keepUntil,
    ),
  );
  const durationMs = Date.now() - started;

  const warnings = metadataWarnings(built.metadata);
  annotate(built.call?.findings ?? warnings, inputs);
  if (built.call) core.info(`call: ${built.call.method}: ${checkVerdict(built.call.findings)}`);

  const image = built.digest && naming.tags[0] ? pinDigest(naming.tags[0], built.digest) : '';
  // The pushed image is what the later stages' early work needs (the deploy's dry run); the
  // size lookup below is for the summary only.
  if (image && !built.call && built.digest !== pushed.announced())
    early?.({ image, digest: built.digest, pushed: inputs.push });
  const result: BuildResult = {
    imageId: built.imageId,
    digest: built.digest,
    image,
    metadata: built.metadata,
    tags: naming.tags,
    builder: built.builder,
    pushed: inputs.push && !built.call,
    loaded: !built.call && (inputs.load || built.builder !== 'buildx'),
    sizeBytes: await imageSize(built, image, inputs, cwd),
    durationMs,
    steps: countSteps(parseBuildSteps(built.log)),
    cache,
    call: built.call,
    warnings,
    summary: inputs.env.summary,
    cacheExport,
  };
  core.info(`Image: ${result.image || '(not pushed)'}`);
  core.info(`Digest: ${result.digest || '(none)'}`);
  core.info(`Image ID: ${result.imageId || '(none)'}`);
  core.info(`Cached steps: ${result.steps.cached} of ${result.steps.total}`);
  return result;
}
