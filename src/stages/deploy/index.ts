// The deploy stage: manifests, pinned to the built image and annotated, applied with kubectl by
// the rolling, canary or blue-green strategy, with a GitHub deployment kept in step when
// `environment` is set.
import * as core from '@actions/core';
import * as os from 'os';
import type { Context } from '../../context';
import { runUrl } from '../../context';
import { cancellation } from '../../lib/cancellation';
import { errorMessage } from '../../lib/errors';
import type { PipelineResults, Stage } from '../types';
import { pinnedReference } from '../../lib/image-reference';
import { firstErrorLine } from './api-errors';
import { annotateResources, provenanceAnnotations, type Provenance } from './annotations';
import { acquireLeases, CancelledBeforeApply, releaseLeases } from './concurrency';
import { Journal } from './journal';
import { leaseFor, type LeaseHolder } from './lease';
import { checkDryRun, checkScope } from './scope';
import { environmentUrl } from './environment-url';
import { GitHubDeployment } from './github-deployment';
import { parseDeployInputs } from './inputs';
import { Kubectl } from './kubectl';
import { liveKey, namespaceOf, type LiveObjects } from './live';
import { loadManifests, type LoadedManifests } from './manifests';
import type { DeployInputs, DeployResult, KubeObject } from './model';
import { pinImageDigests } from './pinning';
import { matchesWithDigest, placeholderDigest, withDigest } from './placeholder';
import { addImagePullSecrets } from './pull-secrets';
import { deployReport } from './report';
import { requireCanaries } from './strategies/canary';
import { greenName } from './strategies/blue-green/green';
import { planBlueGreen } from './strategies/blue-green/plan';
import { strategyFor, type DeployContext, type StrategyOutcome } from './strategies';
import { trackName, TRACKS } from './strategies/canary/tracks';
import { isWorkload, SCALABLE_KINDS } from './workloads';

function provenanceOf(ctx: Context): Provenance {
  return {
    repository: `${ctx.repository.owner}/${ctx.repository.repo}`.replace(/^\/$/, ''),
    commit: ctx.sha,
    runUrl: ctx.runId ? runUrl(ctx) : '',
  };
}

/** The objects to apply: images pinned, pull secrets added, provenance noted. */
function finalObjects(
  loaded: LoadedManifests,
  inputs: DeployInputs,
  ctx: Context,
  images: string[],
): { objects: KubeObject[]; pinned: ReturnType<typeof pinImageDigests> } {
  const pinned = pinImageDigests(
    loaded.manifests.map((m) => m.object),
    images,
  );
  let objects = addImagePullSecrets(pinned.objects, inputs.imagePullSecrets);
  if (inputs.annotateResources) {
    objects = annotateResources(objects, provenanceOf(ctx));
  }
  return { objects, pinned };
}

/** The images the manifests are pinned to: `images`, else the build's digest-pinned image. */
function imagesToPin(inputs: DeployInputs, previous: PipelineResults): string[] {
  return inputs.images.length > 0
    ? inputs.images
    : previous.build?.image
      ? [previous.build.image]
      : [];
}

/** Manifests as they will be applied, saying what was pinned. */
async function prepareManifests(
  inputs: DeployInputs,
  ctx: Context,
  images: string[],
): Promise<KubeObject[]> {
  const loaded = inputs.loaded ?? (await loadManifests(inputs.manifests, ctx.workspace));
  for (const file of loaded.ignored) core.notice(`manifests: ignored ${file} (not .yml or .yaml)`);
  core.info(
    `loaded ${loaded.manifests.length} object(s) from ${new Set(loaded.manifests.map((m) => m.file)).size} file(s)`,
  );
  const { objects, pinned } = finalObjects(loaded, inputs, ctx, images);
  if (images.length === 0) {
    core.info(
      'no images to pin (no deploy-images, no build): manifests keep their image references',
    );
  }
  for (const pin of pinned.pins)
    core.info(`pinned ${pin.workload} container ${pin.container}: ${pin.from} -> ${pin.to}`);
  for (const image of pinned.unused)
    core.warning(`deploy-images: no container in the manifests uses ${image}`);
  return objects;
}

/** A kubectl with the deploy's configuration (its kubeconfig in a private file until disposed). */
function kubectlFor(inputs: DeployInputs): Kubectl {
  return new Kubectl(
    inputs.namespace,
    inputs.kubeconfig,
    inputs.skipTlsVerify ? ['--insecure-skip-tls-verify'] : [],
  );
}

/** The server's dry run of `objects`, started now (read-only). */
function startDryRun(
  kube: Kubectl,
  inputs: DeployInputs,
  objects: KubeObject[],
): NonNullable<DeployInputs['dryRunAhead']> {
  const stored = kube.dryRun(objects, inputs);
  // Its outcome is read when the deploy runs, if it does.
  stored.catch(() => undefined);
  return { objects: JSON.stringify(objects), stored };
}

/**
 * The deploy's server dry run, started before the deploy's turn (read-only: nothing is
 * stored; a scan that fails the job leaves it to finish unused):
 * - once the objects are final (the build's digest known, or `images` given), beside the scan;
 * - earlier still, once buildx is under way with the tags it will push and the apply is
 *   kubectl's client-side one that Gantry stores itself: with a stand-in digest while the
 *   build runs, the real one written in once known (deploy/placeholder.ts).
 */
function dryRunAhead(
  kube: Kubectl,
  inputs: DeployInputs,
  ctx: Context,
  results: PipelineResults,
  pinned: () => KubeObject[] | undefined,
): DeployInputs['dryRunAhead'] {
  const started = inputs.dryRunAhead;
  if (!inputs.loaded || (started && !started.placeholder)) return started;
  const build = results.build;
  const final = pinned();
  if (final) {
    const batch = JSON.stringify(final);
    if (started?.placeholder && build?.digest) {
      const { placeholder } = started;
      const digest = build.digest;
      if (matchesWithDigest(started.objects, batch, placeholder, digest)) {
        // The server checks the writes with the real digest now, beside the scan: read-only
        // (dryRun=All), and exactly what the deploy writes if the scan passes. After the
        // objects' read (bases), so a status-only change can be written at its new version.
        const stored = Promise.all([started.stored, started.bases]).then(([computed]) =>
          kube.confirmComputed(final, withDigest(computed, placeholder, digest), digest),
        );
        stored.catch(() => undefined);
        return { objects: batch, stored, confirm: digest };
      }
    }
    return startDryRun(kube, inputs, final);
  }
  const tag = build?.tags?.[0];
  if (started || !tag || inputs.serverSide || inputs.force || !kube.asksApiDirectly) return started;
  const placeholder = placeholderDigest();
  const { objects } = finalObjects(inputs.loaded, inputs, ctx, [pinnedReference(tag, placeholder)]);
  const ahead = startDryRun(kube, inputs, objects);
  // A long build gives controllers time to update the objects' status: see readBases.
  const bases = ahead.stored.then((computed) => kube.readBases(computed)).catch(() => undefined);
  return { ...ahead, placeholder, bases };
}

/**
 * The deploy's connection to the cluster, made at the first chance ahead and kept for the
 * deploy. Once buildx has started, or else once the image is
 * pushed, it reads the discovery the deploy needs and opens its connections (Node's TLS
 * context: tens of ms of CPU), so both are ready by the deploy's turn. Not before buildx has
 * started, where that work would hold up the build's start, nor first at the push, where it
 * would hold up the scan's.
 */
function aheadKube(inputs: DeployInputs, results: PipelineResults): Kubectl {
  const kube = inputs.kube ?? kubectlFor(inputs);
  if (results.build?.building || results.build?.image)
    kube.warm(inputs.loaded?.manifests.map((m) => m.object) ?? []);
  return kube;
}

/** What readLive asks for, as a key: the kind, namespace and name of each object. */
function liveNames(objects: KubeObject[], inputs: DeployInputs): string {
  return JSON.stringify(
    objects.map((o) => [o.apiVersion, o.kind, namespaceOf(o, inputs.namespace), o.metadata.name]),
  );
}

/**
 * The deploy's first read, started once the image is pushed (read-only), so that after the
 * scan's verdict the deploy goes straight to taking the leases. The leases are taken at the
 * resourceVersion read here, so a read this early is as sound as one just before: another run
 * that took or gave back a lease since makes the take fail, and the deploy reads again.
 */
function liveAhead(
  kube: Kubectl,
  inputs: DeployInputs,
  pinned: () => KubeObject[] | undefined,
): DeployInputs['liveAhead'] {
  if (inputs.liveAhead || !kube.asksApiDirectly) return inputs.liveAhead;
  const objects = pinned();
  if (!objects) return undefined;
  const live = readLive(kube, objects, inputs);
  // Its outcome is read when the deploy runs, if it does; a failed read is made again there.
  live.catch(() => undefined);
  return { names: liveNames(objects, inputs), live };
}

/** The workloads of the manifests: each gets a lease, and its canary and baseline are read too. */
function manifestWorkloads(objects: KubeObject[]): KubeObject[] {
  return objects.filter(isWorkload);
}

/**
 * The cluster's current version of every workload in the manifests, of their canary and
 * baseline, and of their leases, in one read before anything is applied (it is also the check
 * that the cluster answers).
 */
async function readLive(
  kube: Kubectl,
  objects: KubeObject[],
  inputs: DeployInputs,
): Promise<LiveObjects> {
  const workloads = manifestWorkloads(objects);
  const wanted = workloads.flatMap((object) => [
    object,
    ...(SCALABLE_KINDS.includes(object.kind)
      ? [
          ...TRACKS.map((track) => trackName(object.metadata.name, track)),
          greenName(object.metadata.name),
        ].map((name) => ({ ...object, metadata: { ...object.metadata, name } }))
      : []),
  ]);
  const leases = workloads.map((object) => leaseFor(object, inputs.namespace));
  const live: LiveObjects = new Map();
  // Without workloads, still ask for one object: the call doubles as the reachability check.
  let found: Map<string, KubeObject[]>;
  try {
    found = await kube.getExisting(
      wanted.length > 0 ? [...wanted, ...leases] : objects.slice(0, 1),
      (object) => namespaceOf(object, inputs.namespace),
      { signal: cancellation.stop },
    );
  } catch (err) {
    if (cancellation.requested) throw new CancelledBeforeApply(String(cancellation.signal));
    throw err;
  }
  for (const [namespace, items] of found) {
    for (const item of items) {
      // Under the namespace the manifests name ('' = the context's) and the one the server reports.
      live.set(liveKey(item.kind, namespace, item.metadata.name), item);
      live.set(liveKey(item.kind, item.metadata.namespace ?? '', item.metadata.name), item);
    }
  }
  return live;
}

/**
 * k8s-deploy's annotate-namespace: the `namespace` input's Namespace gets the provenance
 * annotations too. Like k8s-deploy, a refusal (no RBAC on namespaces) is a warning only.
 */
async function annotateNamespace(kube: Kubectl, inputs: DeployInputs, ctx: Context) {
  if (!inputs.annotateResources || inputs.namespace === '') return;
  try {
    await kube.annotate(`namespace/${inputs.namespace}`, provenanceAnnotations(provenanceOf(ctx)));
  } catch (err) {
    core.warning(
      `annotate-namespace: could not annotate namespace ${inputs.namespace}: ${errorMessage(err)}`,
    );
  }
}

/** Who this run is, on the leases it takes: the run, its job, and this process. */
function leaseHolder(ctx: Context): LeaseHolder {
  const repository = `${ctx.repository.owner}/${ctx.repository.repo}`;
  return {
    identity: `${repository} run ${ctx.runId} attempt ${ctx.runAttempt} job ${ctx.job} (${os.hostname()} pid ${process.pid})`,
    runUrl: ctx.runId ? runUrl(ctx) : '',
  };
}

export const deployStage: Stage<DeployInputs, DeployResult> = {
  name: 'deploy',
  parseInputs: (source, ctx) => parseDeployInputs(source, ctx),
  // Missing or invalid manifests, or manifests beyond the run's scope, fail the job before the
  // build pushes anything.
  prepare: async (inputs, ctx) => {
    const loaded = await loadManifests(inputs.manifests, ctx.workspace);
    checkScope(loaded.manifests, inputs.namespace, inputs.allowClusterScoped);
    // A route method without its routing object (an HTTPRoute, an Ingress) could never switch.
    if (inputs.strategy === 'blue-green')
      planBlueGreen(
        loaded.manifests.map((m) => m.object),
        { method: inputs.routeMethod },
      );
    return { ...inputs, loaded };
  },

  ahead: (inputs, ctx, results) => {
    const loaded = inputs.loaded;
    if (!loaded) return inputs;
    const kube = aheadKube(inputs, results);
    // The batch pinned to the image once it is known (the build's, or `images`), made at most
    // once per call: the dry run checks it and the first read asks for its objects.
    let batch: KubeObject[] | undefined;
    const pinned = () => {
      if (!results.build?.image && inputs.images.length === 0) return undefined;
      batch ??= finalObjects(loaded, inputs, ctx, imagesToPin(inputs, results)).objects;
      return batch;
    };
    return {
      ...inputs,
      kube,
      dryRunAhead: dryRunAhead(kube, inputs, ctx, results, pinned),
      liveAhead: liveAhead(kube, inputs, pinned),
    };
  },

  run: (inputs, ctx, previous) => cancellation.handle(() => deploy(inputs, ctx, previous)),

  report: (result, inputs) => deployReport(result, inputs),
};

async function deploy(
  inputs: DeployInputs,
  ctx: Context,
  previous: PipelineResults,
): Promise<DeployResult> {
  const started = Date.now();
  const objects = await prepareManifests(inputs, ctx, imagesToPin(inputs, previous));

  const kube = inputs.kube ?? kubectlFor(inputs);
  // The dry run started ahead counts when it checked exactly this batch. When it failed, the
  // deploy asks again: an API outage during the scan is no verdict now, and a refusal repeats.
  const ahead =
    inputs.dryRunAhead?.objects === JSON.stringify(objects) ? inputs.dryRunAhead : undefined;
  if (ahead)
    core.info(
      ahead.confirm
        ? 'server dry run: computed while the build ran (the digest written in once known), then the writes checked by the server (dryRun=All)'
        : "server dry run: started as soon as the build's digest was known",
    );
  const calls = () => kube.calls;
  const requests = () => kube.requests;
  const journal = new Journal(inputs.namespace);
  let leases: KubeObject[] = [];
  // Annotating the namespace goes beside giving the leases back: neither waits for the other.
  let namespaceAnnotated: Promise<void> = Promise.resolve();
  try {
    // The whole batch through the server's validation before anything is applied. The dry run
    // goes beside the first read and taking the leases (all come before anything is applied);
    // a refused batch stops the lease wait.
    const refused = new AbortController();
    const dryRun = ahead
      ? ahead.stored
          .then((stored) => {
            // A confirmed answer was marked validated by confirmComputed.
            if (!ahead.confirm) kube.markValidated(objects, stored);
            return stored;
          })
          .catch((err: unknown) => {
            if (ahead.confirm)
              core.info(`server dry run: asked again (${firstErrorLine(errorMessage(err))})`);
            return kube.dryRun(objects, inputs);
          })
      : kube.dryRun(objects, inputs);
    const validated = dryRun
      .then((stored) => checkDryRun(stored, inputs.allowClusterScoped))
      .catch((err: unknown) => {
        refused.abort(err);
        throw err;
      });
    // When the first read fails (the cluster does not answer), its error is the one to report.
    validated.catch(() => undefined);
    const readAhead =
      inputs.liveAhead?.names === liveNames(objects, inputs) ? inputs.liveAhead.live : undefined;
    // A read ahead that failed is made again: its error, if it repeats, is the one to report.
    const readDuringScan = await readAhead?.catch(() => undefined);
    const firstRead = readDuringScan ?? (await readLive(kube, objects, inputs));
    const acquired = acquireLeases({
      kube,
      workloads: manifestWorkloads(objects),
      namespace: inputs.namespace,
      holder: leaseHolder(ctx),
      // A progressive rollout holds the workloads for all of its steps too, and a blue-green
      // for its version-switch-buffer.
      durationSeconds:
        inputs.rolloutTimeoutSeconds * 2 +
        120 +
        inputs.versionSwitchBufferMinutes * 60 +
        (inputs.progressive
          ? inputs.progressive.plan.weights.length * inputs.progressive.plan.stepSeconds
          : 0),
      waitSeconds: inputs.leaseWaitSeconds,
      // The first look reuses the read above; after a wait, the cluster is read afresh.
      readLive: () => readLive(kube, objects, inputs),
      firstLook: { live: firstRead, early: readDuringScan !== undefined },
      signal: AbortSignal.any([cancellation.stop, refused.signal]),
    });
    const [dry, taken] = await Promise.allSettled([validated, acquired]);
    if (taken.status === 'fulfilled') leases = taken.value.held;
    if (dry.status === 'rejected') throw dry.reason;
    if (taken.status === 'rejected') throw taken.reason;
    journal.record({
      leases: taken.value.held.map((lease) => ({
        name: lease.metadata.name,
        namespace: lease.metadata.namespace ?? '',
        holder: String(lease.spec?.holderIdentity ?? ''),
      })),
    });
    if (cancellation.requested) throw new CancelledBeforeApply(String(cancellation.signal));
    const dc: DeployContext = {
      kube,
      inputs,
      live: taken.value.live,
      cancellation,
      journal,
      reread: () => readLive(kube, objects, inputs),
    };
    if (inputs.strategy === 'canary' && inputs.action !== 'deploy') requireCanaries(dc, objects);

    const url = environmentUrl(objects);
    const deployment = inputs.environment
      ? await GitHubDeployment.start(
          inputs.githubToken,
          ctx,
          inputs.environment,
          `Gantry ${inputs.strategy} ${inputs.action}`,
          url,
        )
      : undefined;
    if (deployment) {
      journal.record({ deploymentId: deployment.id, environmentUrl: url });
      dc.progress = (description) => deployment.setStatus('in_progress', description);
    }
    let outcome: StrategyOutcome;
    try {
      outcome = await strategyFor(inputs.strategy).run(dc, objects);
    } catch (err) {
      await deployment?.setStatus('failure', 'The deploy failed');
      throw err;
    }
    await deployment?.setStatus(
      outcome.failure ? 'failure' : 'success',
      outcome.rollout === 'cancelled'
        ? `Cancelled (${cancellation.signal}): this run's changes were undone`
        : `Rollout ${outcome.rollout}`,
    );
    if (inputs.annotateNamespace && outcome.rollout !== 'cancelled') {
      namespaceAnnotated = annotateNamespace(kube, inputs, ctx);
    }
    return {
      ...outcome,
      durationSeconds: (Date.now() - started) / 1000,
      kubectlCalls: calls(),
      apiRequests: requests(),
      rolloutWaitSeconds: kube.waitingMs / 1000,
    };
  } catch (err) {
    if (!(err instanceof CancelledBeforeApply)) throw err;
    return {
      rollout: 'cancelled',
      deployed: [],
      workloads: [],
      notes: [],
      failure: err.message,
      durationSeconds: (Date.now() - started) / 1000,
      kubectlCalls: calls(),
      apiRequests: requests(),
      rolloutWaitSeconds: kube.waitingMs / 1000,
    };
  } finally {
    await Promise.all([releaseLeases(kube, leases), namespaceAnnotated]);
    // The main step reported: the post step has nothing to undo.
    journal.finish();
    if (requests() > 0) core.info(`API server: ${requests()} request(s) sent directly`);
    // One line the benchmark reads: Gantry's own time is the run minus the rollout waits.
    core.info(
      `kubectl: ${calls()} invocation(s), ${(kube.waitingMs / 1000).toFixed(2)} s waiting for rollouts`,
    );
    kube.dispose();
  }
}
