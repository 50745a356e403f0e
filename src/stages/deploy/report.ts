// The deploy stage's outputs and job summary: which workloads run which images, how many
// replicas are ready, the strategy and the outcome.
import { code, table } from '../../lib/markdown';
import type { StageReport } from '../types';
import type { DeployInputs, DeployResult } from './model';
import { renderProgressiveSummary } from './progressive/summary';

function strategyLine(inputs: DeployInputs): string {
  if (inputs.strategy === 'rolling') return 'rolling';
  if (inputs.strategy === 'blue-green')
    return inputs.action === 'deploy'
      ? `blue-green deploy (route-method ${inputs.routeMethod}${inputs.progressive ? ', judged before and after the switch' : ''})`
      : `blue-green ${inputs.action}`;
  // Promote and reject act on the canary as it was made; this run's split settings do not apply.
  if (inputs.action !== 'deploy') return `canary ${inputs.action}`;
  const share = inputs.progressive
    ? `steps ${inputs.progressive.plan.weights.join(',')}%`
    : `${inputs.canaryPercentage}%`;
  const split = `${inputs.trafficSplit} split, ${share}${inputs.canaryBaseline ? ' + baseline' : ''}`;
  return `canary ${inputs.action} (${split})`;
}

export function deployReport(result: DeployResult, inputs: DeployInputs): StageReport {
  const rows = result.workloads.map((w) => [
    `${w.kind}/${w.name}`,
    w.namespace,
    w.track,
    w.images.map(code).join('<br>'),
    w.replicas === undefined
      ? w.ready
        ? 'ready'
        : 'not ready'
      : `${w.ready ? w.replicas : '?'}/${w.replicas}`,
  ]);
  const lines = [
    '### Deploy',
    '',
    `**Rollout:** ${result.rollout} · **Strategy:** ${strategyLine(inputs)} · **Duration:** ${result.durationSeconds.toFixed(1)} s`,
    '',
  ];
  if (rows.length > 0)
    lines.push(table(['Workload', 'Namespace', 'Track', 'Image', 'Ready'], rows), '');
  for (const note of result.notes) lines.push(`- ${note}`);
  if (result.progressive) lines.push('', renderProgressiveSummary(result.progressive));
  if (result.failure) lines.push('', '```', result.failure, '```');
  return {
    outputs: { deployed: JSON.stringify(result.deployed), rollout: result.rollout },
    summary: lines.join('\n') + '\n',
    failure: result.failure,
  };
}
