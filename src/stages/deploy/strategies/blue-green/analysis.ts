// A judged switch: green is judged for one step while blue serves (the checks' `{{canary}}`
// selects green's pods), the traffic switches, and green is judged for one more step. The
// steps run through the progressive rollout loop with weights 0 and 100. A check beyond its
// failure limit before the switch removes green, blue untouched; after it, traffic goes back to
// blue at once, green is removed and blue checked healthy. Passing leaves the switch for a
// person to promote or reject, as an unjudged switch does.
import * as core from '@actions/core';
import { httpFetch } from '../../../../lib/http-fetch';
import { sleep } from '../../../../lib/sleep';
import { evaluateChecks } from '../../analysis/evaluate';
import type { Measurement } from '../../analysis/model';
import { podSelectors } from '../../analysis/selectors';
import type { KubeObject } from '../../model';
import { driveCanary, type DriveResult, type RolloutPorts } from '../../progressive/drive';
import { failingChecks, measurementLine } from '../../progressive/lines';
import type { ProgressiveSettings } from '../../progressive/settings';
import {
  stepPlace,
  type ProgressiveOutcome,
  type ProgressiveReport,
} from '../../progressive/summary';
import type { Verdict } from '../../progressive/verdict';
import { imagesOf } from '../../workloads';
import type { DeployContext, StrategyOutcome } from '../rolling';
import type { BlueGreenPlan } from './plan';
import { switchBack, switchBackToBlue, switchToGreen, workloadsOf } from './switching';

/** Green, ready and not yet switched to. */
export interface ReadyGreen {
  deployed: StrategyOutcome['deployed'];
  workloads: StrategyOutcome['workloads'];
  notes: string[];
}

/**
 * Before the switch green serves only requests sent to it directly: a check with no data has
 * had nothing to judge, and is not held against green. An unreachable provider still fails,
 * and after the switch no data fails as it does everywhere.
 */
function beforeTheSwitch(m: Measurement): Measurement {
  return m.noData && !m.passed
    ? { ...m, passed: true, detail: `not judged, no traffic reached green yet (${m.detail})` }
    : m;
}

function verdictLine(verdict: Verdict, step: number, weight: number): string {
  const place = stepPlace('blue-green', step, weight);
  switch (verdict.kind) {
    case 'step-passed':
      return `${place}: passed; switching to green`;
    case 'promote':
      return `${place}: passed; green serves, blue keeps running until promote or reject`;
    case 'reject':
      return `${place}: failed; ${step === 1 ? 'removing green' : 'switching back to blue'}`;
    default:
      return `${place}: analysis passed, the window goes on`;
  }
}

function reportOutcome(result: DriveResult): ProgressiveOutcome {
  if (result.outcome === 'promote') return 'passed';
  if (result.outcome === 'reject') return 'rejected';
  return 'cancelled';
}

export async function judgedSwitch(
  dc: DeployContext,
  manifests: KubeObject[],
  plan: BlueGreenPlan,
  settings: ProgressiveSettings,
  ready: ReadyGreen,
): Promise<StrategyOutcome> {
  const { inputs } = dc;
  const workloads = workloadsOf(manifests);
  const selectors = podSelectors(
    inputs.namespace,
    workloads.map((w) => ({ kind: w.kind, name: w.metadata.name })),
    'green',
  );
  const notes = [...ready.notes];
  let switched = false;
  const ports: RolloutPorts = {
    now: () => new Date(),
    sleep: (seconds, signal) => sleep(seconds * 1000, signal),
    async setWeight(weight) {
      // Weight 0 is where green starts: nothing routes to it yet.
      if (weight === 0) return;
      const line = await switchToGreen(dc, plan);
      switched = true;
      notes.push(`${line} once the analysis passed before the switch.`);
    },
    async evaluate(step, weight) {
      const measured = await evaluateChecks({
        spec: settings.analysis,
        facts: {
          rollout: workloads.map((w) => `${w.kind}/${w.metadata.name}`).join(','),
          namespace: inputs.namespace,
          step,
          weight,
          selectors,
        },
        timeoutSeconds: settings.timeoutSeconds,
        fetch: httpFetch({ timeoutSeconds: settings.timeoutSeconds }),
      });
      return weight === 0 ? measured.map(beforeTheSwitch) : measured;
    },
    // A re-run deploys green again and judges it afresh: there is no progress to resume.
    saveState: async () => undefined,
    async onVerdict(verdict, record) {
      const line = verdictLine(verdict, record.step, record.weight);
      core.info(`blue-green analysis: ${line}`);
      if (verdict.kind !== 'continue') await dc.progress?.(`Green ${line}`);
      for (const m of record.measurements)
        core.info(`  ${measurementLine(m, settings.analysis.checks)}`);
    },
  };
  const digest = [...new Set(workloads.flatMap(imagesOf))].sort().join(',');
  const start = { action: 'start' as const, reason: 'new rollout' };
  const result = await driveCanary(settings, digest, start, ports, dc.cancellation.stop);
  const progressive: ProgressiveReport = {
    kind: 'blue-green',
    plan: settings.plan,
    checks: settings.analysis.checks,
    evaluations: result.evaluations,
    outcome: reportOutcome(result),
  };

  if (result.outcome === 'promote')
    return {
      rollout: 'switched',
      ...ready,
      notes: [
        ...notes,
        'The analysis passed green before and after the switch; blue keeps running until promote or reject.',
      ],
      progressive,
    };
  if (result.outcome === 'cancelled') {
    // Safe is blue, the version that served before this run.
    if (switched) await switchBack(dc, plan);
    else await dc.kube.delete(plan.remove);
    return {
      rollout: 'cancelled',
      deployed: [],
      workloads: [],
      notes,
      progressive,
      failure: `Cancelled (${dc.cancellation.signal}) during the analysis ${switched ? 'after' : 'before'} the switch: traffic goes to blue, green was removed. Deploy again to retry.`,
    };
  }
  const reason = `The analysis rejected green ${switched ? 'after' : 'before'} the switch: ${failingChecks(result.failing, settings.analysis.checks)}.`;
  if (!switched) {
    await dc.kube.delete(plan.remove);
    return {
      rollout: 'rejected',
      ...ready,
      notes: [...notes, 'Rejected green before the switch: removed it.'],
      progressive,
      failure: `${reason} Green was removed; blue was not touched and still serves.`,
    };
  }
  const back = await switchBackToBlue(dc, manifests, plan);
  return {
    ...back,
    notes: [...notes, ...back.notes],
    progressive,
    failure: back.failure
      ? `${reason}\n${back.failure}`
      : `${reason} Traffic is back on blue, which is healthy; green was removed.`,
  };
}
