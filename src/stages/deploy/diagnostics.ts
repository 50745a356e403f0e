// Why a rollout failed, in a few lines: the workload's unready pods with their container
// states, and the most recent events about the workload, its ReplicaSets and pods.
import type { KubeObject } from './model';
import { podTemplateOf } from './workloads';

const EVENT_LIMIT = 10;

/* eslint-disable @typescript-eslint/no-explicit-any -- pod status and events are open-ended JSON */
function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

function matchesSelector(pod: KubeObject, workload: KubeObject): boolean {
  const labels =
    workload.spec?.selector?.matchLabels ?? podTemplateOf(workload)?.metadata?.labels ?? {};
  const entries = Object.entries(labels as Record<string, string>);
  return (
    entries.length > 0 && entries.every(([key, value]) => pod.metadata.labels?.[key] === value)
  );
}

function containerState(status: any): string {
  const state = status.state ?? {};
  if (state.waiting)
    return `waiting (${[state.waiting.reason, state.waiting.message].filter(Boolean).join(': ')})`;
  if (state.terminated) {
    return `terminated (${state.terminated.reason ?? 'exit'} ${state.terminated.exitCode ?? ''})`.replace(
      ' )',
      ')',
    );
  }
  if (state.running) return status.ready ? 'running, ready' : 'running, not ready';
  return 'unknown';
}

function describePod(pod: KubeObject): string {
  const statuses: any[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  const containers = statuses.map((s) =>
    `${s.name} ${s.image ?? ''}: ${containerState(s)}`.replace('  ', ' '),
  );
  const reason = pod.status?.reason ? ` ${pod.status.reason}` : '';
  const head = `pod/${pod.metadata.name} ${pod.status?.phase ?? 'Unknown'}${reason}, not ready`;
  return containers.length > 0 ? `${head}; ${containers.join('; ')}` : head;
}

function eventTime(event: any): string {
  return (
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata?.creationTimestamp ??
    ''
  );
}

function describeEvent(event: any): string {
  const object = event.involvedObject ?? event.regarding ?? {};
  const count = event.count > 1 ? ` (x${event.count})` : '';
  return `${eventTime(event)} ${event.type ?? ''} ${String(object.kind ?? '').toLowerCase()}/${object.name ?? ''} ${event.reason ?? ''}: ${event.message ?? event.note ?? ''}${count}`.trim();
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Diagnostics for the workloads that did not become ready. */
export function rolloutDiagnostics(
  workloads: KubeObject[],
  pods: KubeObject[],
  events: KubeObject[],
): string {
  const lines: string[] = [];
  for (const workload of workloads) {
    const name = workload.metadata.name;
    lines.push(`${workload.kind.toLowerCase()}/${name}:`);
    const unready = pods.filter((pod) => matchesSelector(pod, workload) && !isReady(pod));
    if (unready.length === 0) lines.push('  no unready pods');
    for (const pod of unready) lines.push(`  ${describePod(pod)}`);
    // Events about the workload, its ReplicaSets (name-hash) and pods (name-hash-id).
    const related = events
      .filter((event) => {
        const involved: string = event.involvedObject?.name ?? event.regarding?.name ?? '';
        return involved === name || involved.startsWith(`${name}-`);
      })
      .sort((a, b) => Date.parse(eventTime(a)) - Date.parse(eventTime(b)))
      .slice(-EVENT_LIMIT);
    if (related.length > 0) lines.push('  recent events:');
    for (const event of related) lines.push(`    ${describeEvent(event)}`);
  }
  return lines.join('\n');
}
