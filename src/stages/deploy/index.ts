// The deploy stage: manifests, pinned to the built image and annotated, applied with kubectl by
// the rolling or canary strategy, with a GitHub deployment kept in step when `environment` is set.
import * as core from '@actions/core';
import type { Context } from '../../context';
import { runUrl } from '../../context';
import type { Stage } from '../types';
import { errorMessage } from '../../lib/errors';
import { annotateResources, provenanceAnnotations, type Provenance } from './annotations';
import { environmentUrl } from './environment-url';
import { GitHubDeployment } from './github-deployment';
import { parseDeployInputs } from './inputs';
import { Kubectl } from './kubectl';
import { liveKey, namespaceOf, type LiveObjects } from './live';
import { loadManifests } from './manifests';
import type { DeployInputs, DeployResult, KubeObject } from './model';
import { pinImageDigests } from './pinning';
import { addImagePullSecrets } from './pull-secrets';
import { deployReport } from './report';
import { deployCanary, promoteCanary, rejectCanary, requireCanaries } from './strategies/canary';
import { rollingDeploy, type DeployContext, type StrategyOutcome } from './strategies/rolling';
import { trackName, TRACKS } from './tracks';
import { isWorkload, SCALABLE_KINDS } from './workloads';

function provenanceOf(ctx: Context): Provenance {
  return {
    repository: `${ctx.repository.owner}/${ctx.repository.repo}`.replace(/^\/$/, ''),
    commit: ctx.sha,
    runUrl: ctx.runId ? runUrl(ctx) : '',
  };
}

/** Manifests as they will be applied: images pinned, pull secrets added, provenance noted. */
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
  const pinned = pinImageDigests(
    loaded.manifests.map((m) => m.object),
    images,
  );
  if (images.length === 0) {
    core.info(
      'no images to pin (no deploy-images, no build): manifests keep their image references',
    );
  }
  for (const pin of pinned.pins)
    core.info(`pinned ${pin.workload} container ${pin.container}: ${pin.from} -> ${pin.to}`);
  for (const image of pinned.unused)
    core.warning(`deploy-images: no container in the manifests uses ${image}`);
  let objects = addImagePullSecrets(pinned.objects, inputs.imagePullSecrets);
  if (inputs.annotateResources) {
    objects = annotateResources(objects, provenanceOf(ctx));
  }
  return objects;
}

/**
 * The cluster's current version of every workload in the manifests and of their canary and
 * baseline, read before anything is applied (it is also the check that the cluster answers).
 */
async function readLive(
  kube: Kubectl,
  objects: KubeObject[],
  inputs: DeployInputs,
): Promise<LiveObjects> {
  const wanted = objects.filter(isWorkload).flatMap((object) => [
    object,
    ...(SCALABLE_KINDS.includes(object.kind)
      ? TRACKS.map((track) => ({
          ...object,
          metadata: { ...object.metadata, name: trackName(object.metadata.name, track) },
        }))
      : []),
  ]);
  const live: LiveObjects = new Map();
  // Without workloads, still ask for one object: the call doubles as the reachability check.
  const found = await kube.getExisting(wanted.length > 0 ? wanted : objects.slice(0, 1), (object) =>
    namespaceOf(object, inputs.namespace),
  );
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

function runStrategy(dc: DeployContext, objects: KubeObject[]): Promise<StrategyOutcome> {
  if (dc.inputs.strategy === 'rolling') return rollingDeploy(dc, objects);
  if (dc.inputs.action === 'promote') return promoteCanary(dc, objects);
  if (dc.inputs.action === 'reject') return rejectCanary(dc, objects);
  return deployCanary(dc, objects);
}

export const deployStage: Stage<DeployInputs, DeployResult> = {
  name: 'deploy',
  parseInputs: (source, ctx) => parseDeployInputs(source, ctx),
  // Missing or invalid manifests fail the job before the build pushes anything.
  prepare: async (inputs, ctx) => ({
    ...inputs,
    loaded: await loadManifests(inputs.manifests, ctx.workspace),
  }),

  async run(inputs, ctx, previous) {
    const started = Date.now();
    const images =
      inputs.images.length > 0
        ? inputs.images
        : previous.build?.image
          ? [previous.build.image]
          : [];
    const objects = await prepareManifests(inputs, ctx, images);

    const kube = new Kubectl(
      inputs.namespace,
      inputs.kubeconfig,
      inputs.skipTlsVerify ? ['--insecure-skip-tls-verify'] : [],
    );
    try {
      const live = await readLive(kube, objects, inputs);
      const dc: DeployContext = { kube, inputs, live };
      if (inputs.strategy === 'canary' && inputs.action !== 'deploy') requireCanaries(dc, objects);

      const deployment = inputs.environment
        ? await GitHubDeployment.start(
            inputs.githubToken,
            ctx,
            inputs.environment,
            `Gantry ${inputs.strategy} ${inputs.action}`,
            environmentUrl(objects),
          )
        : undefined;
      let outcome: StrategyOutcome;
      try {
        outcome = await runStrategy(dc, objects);
      } catch (err) {
        await deployment?.setStatus('failure', 'The deploy failed');
        throw err;
      }
      await deployment?.setStatus(
        outcome.failure ? 'failure' : 'success',
        `Rollout ${outcome.rollout}`,
      );
      if (inputs.annotateNamespace) await annotateNamespace(kube, inputs, ctx);
      return {
        ...outcome,
        durationSeconds: (Date.now() - started) / 1000,
        kubectlCalls: kube.calls,
        rolloutWaitSeconds: kube.waitingMs / 1000,
      };
    } finally {
      // One line the benchmark reads: Gantry's own time is the run minus the rollout waits.
      core.info(
        `kubectl: ${kube.calls} invocation(s), ${(kube.waitingMs / 1000).toFixed(2)} s waiting for rollouts`,
      );
      kube.dispose();
    }
  },

  report: (result, inputs) => deployReport(result, inputs),
};
