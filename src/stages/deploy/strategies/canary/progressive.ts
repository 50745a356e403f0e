// The canary with steps (canary-steps): deploy the canary at the first weight, then let the
// rollout loop move it through the steps, judged by the analysis, and promote or reject it
// itself. The loop's ports are kubectl (routes, the state annotation) and the providers; a
// re-run reads the state back from the canary and resumes, and a cancelled job sends all
// traffic to stable but leaves the canary and its state for the next run.
import * as core from '@actions/core';
import { sleep } from '../../../../lib/sleep';
import { httpFetch } from '../../../../lib/http-fetch';
import { evaluateChecks } from '../../analysis/evaluate';
import type { AnalysisCheck } from '../../analysis/model';
import { podSelectors } from '../../analysis/selectors';
import { canaryRoutes, liveCanaries } from './plan';
import type { KubeObject } from '../../model';
import { driveCanary, type DriveResult, type RolloutPorts } from '../../progressive/drive';
import type { ProgressiveSettings } from '../../progressive/settings';
import { decideResume, STATE_ANNOTATION } from '../../progressive/state';
import { failingChecks, measurementLine } from '../../progressive/lines';
import type { ProgressiveOutcome } from '../../progressive/summary';
import type { Verdict } from '../../progressive/verdict';
import { trackName } from './tracks';
import { imagesOf, objectRef, SCALABLE_KINDS } from '../../workloads';
import { deployCanary, promoteCanary, rejectCanary } from './index';
import type { DeployContext, StrategyOutcome } from '../rolling';

/** How long a router takes to pick up a changed route before the step's traffic counts. */
const ROUTE_SETTLE_SECONDS = 2;

/** What the analysis is about: the images the canary runs, pinned by digest. */
function canaryDigest(manifests: KubeObject[]): string {
  const workloads = manifests.filter((object) => SCALABLE_KINDS.includes(object.kind));
  return [...new Set(workloads.flatMap(imagesOf))].sort().join(',');
}

function verdictLine(verdict: Verdict, step: number, weight: number): string {
  switch (verdict.kind) {
    case 'step-passed':
      return `step ${step} (${weight} %) passed; next ${verdict.nextWeight} %`;
    case 'promote':
      return `step ${step} (${weight} %) passed: every step passed, promoting`;
    case 'reject':
      return `step ${step} (${weight} %) failed: rejecting`;
    default:
      return `step ${step} (${weight} %): analysis passed, step goes on`;
  }
}

function failingText(result: DriveResult, checks: AnalysisCheck[]): string {
  const last = result.evaluations[result.evaluations.length - 1];
  const where = last ? ` at step ${last.step} (${last.weight} % of traffic)` : '';
  return `The analysis rejected the canary${where}: ${failingChecks(result.failing, checks)}.`;
}

function reportOutcome(result: DriveResult): ProgressiveOutcome {
  if (result.outcome === 'promote') return 'promoted';
  if (result.outcome === 'reject') return 'rejected';
  return 'cancelled';
}

export async function progressiveCanary(
  dc: DeployContext,
  manifests: KubeObject[],
  settings: ProgressiveSettings,
): Promise<StrategyOutcome> {
  const { inputs, kube } = dc;
  const namespace = inputs.namespace;
  const digest = canaryDigest(manifests);
  const running = liveCanaries(manifests, dc.live, namespace);
  const decision = decideResume(running[0]?.metadata.annotations?.[STATE_ANNOTATION], {
    digest,
    weights: settings.plan.weights,
    now: new Date(),
  });
  core.info(`canary-steps: ${decision.reason}`);
  const resumeAt = decision.action === 'start' ? 0 : decision.state.stepIndex;
  const startWeight = settings.plan.weights[Math.min(resumeAt, settings.plan.weights.length - 1)];

  const deployed = await deployCanary(
    { ...dc, inputs: { ...inputs, canaryPercentage: startWeight } },
    manifests,
  );
  // No stable version yet (deployed as stable), a canary that never got ready, a cancel: done.
  if (deployed.rollout !== 'canary-ready') return deployed;

  const workloads = manifests.filter((object) => SCALABLE_KINDS.includes(object.kind));
  const canaryRefs = workloads.map((w) => ({
    ref: objectRef({
      ...w,
      metadata: { ...w.metadata, name: trackName(w.metadata.name, 'canary') },
    }),
    namespace: w.metadata.namespace ?? namespace,
  }));
  const selectors = podSelectors(
    namespace,
    workloads.map((w) => ({ kind: w.kind, name: w.metadata.name })),
  );
  const setWeight = async (weight: number) => {
    const routes = canaryRoutes(manifests, inputs.trafficSplit, weight, inputs.canaryBaseline);
    await kube.apply(routes, inputs);
    core.info(`canary-steps: ${weight} % of traffic to the canary`);
  };
  const ports: RolloutPorts = {
    now: () => new Date(),
    sleep: (seconds, signal) => sleep(seconds * 1000, signal),
    async setWeight(weight) {
      await setWeight(weight);
      await sleep(ROUTE_SETTLE_SECONDS * 1000, dc.cancellation.stop);
    },
    evaluate: (step, weight) =>
      evaluateChecks({
        spec: settings.analysis,
        facts: {
          rollout: workloads.map((w) => `${w.kind}/${w.metadata.name}`).join(','),
          namespace,
          step,
          weight,
          selectors,
        },
        timeoutSeconds: settings.timeoutSeconds,
        fetch: httpFetch({ timeoutSeconds: settings.timeoutSeconds }),
      }),
    async saveState(annotation) {
      for (const canary of canaryRefs)
        await kube.annotate(canary.ref, { [STATE_ANNOTATION]: annotation }, canary.namespace);
    },
    async onVerdict(verdict, record) {
      const line = verdictLine(verdict, record.step, record.weight);
      core.info(`canary-steps: ${line}`);
      // A GitHub deployment status per step (not per analysis): where the rollout stands.
      if (verdict.kind !== 'continue') await dc.progress?.(`Canary ${line}`);
      for (const m of record.measurements)
        core.info(`  ${measurementLine(m, settings.analysis.checks)}`);
    },
  };
  const result = await driveCanary(settings, digest, decision, ports, dc.cancellation.stop);
  const report = {
    kind: 'canary' as const,
    plan: settings.plan,
    checks: settings.analysis.checks,
    evaluations: result.evaluations,
    outcome: reportOutcome(result),
  };
  const notes = [...deployed.notes];

  if (result.outcome === 'cancelled') {
    // Safe is stable: the canary keeps running, unweighted, with its state for a re-run.
    await setWeight(0);
    return {
      ...deployed,
      rollout: 'cancelled',
      notes,
      progressive: report,
      failure: `Cancelled (${dc.cancellation.signal}) during canary step ${result.state.stepIndex + 1}: all traffic goes to the stable version. The canary still runs with its progress recorded (${STATE_ANNOTATION}); run again to resume, or reject it (deploy-action: reject).`,
    };
  }

  // Promote and reject read the canaries back from the cluster, as a later job would.
  const live = dc.reread ? await dc.reread() : dc.live;
  if (result.outcome === 'promote') {
    const promoted = await promoteCanary({ ...dc, live }, manifests);
    return { ...promoted, notes: [...notes, ...promoted.notes], progressive: report };
  }
  const rejected = await rejectCanary({ ...dc, live }, manifests);
  const reason = failingText(result, settings.analysis.checks);
  return {
    ...rejected,
    notes: [...notes, ...rejected.notes],
    progressive: report,
    failure: rejected.failure
      ? `${reason}\n${rejected.failure}`
      : `${reason} Traffic is back on the stable version, which is healthy; the canary was removed.`,
  };
}
