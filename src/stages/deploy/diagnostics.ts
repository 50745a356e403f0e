// Why a rollout failed, in a few lines: the workload's unready pods with their container
// states and the last log lines of their failing containers, and the most recent events about
// the workload, its ReplicaSets and pods.
import type { KubeObject } from './model';
import { podTemplateOf } from './workloads';

const EVENT_LIMIT = 10;
/** Containers whose logs are fetched, and lines shown for each: a crash says why at the end. */
export const LOGGED_CONTAINER_LIMIT = 3;
export const LOG_LINE_LIMIT = 10;

/** A container's last log lines; `previous` when they are from the run before a restart. */
export interface ContainerLog {
  pod: string;
  container: string;
  previous: boolean;
  lines: string[];
}

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

function unreadyPods(workload: KubeObject, pods: KubeObject[]): KubeObject[] {
  return pods.filter((pod) => matchesSelector(pod, workload) && !isReady(pod));
}

/**
 * The containers of the workloads' unready pods worth reading logs from: those that exited
 * (their last run, `previous` when they were restarted since) or run but are not ready.
 * Containers still waiting for their first start have no logs.
 */
export function containersToLog(
  workloads: KubeObject[],
  pods: KubeObject[],
): Omit<ContainerLog, 'lines'>[] {
  const out: Omit<ContainerLog, 'lines'>[] = [];
  for (const pod of workloads.flatMap((workload) => unreadyPods(workload, pods))) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const state = status.state ?? {};
      if (status.ready) continue;
      if (state.terminated || state.running) {
        out.push({ pod: pod.metadata.name, container: status.name, previous: false });
      } else if (status.lastState?.terminated) {
        out.push({ pod: pod.metadata.name, container: status.name, previous: true });
      }
    }
  }
  return out.slice(0, LOGGED_CONTAINER_LIMIT);
}

function describeLog(log: ContainerLog): string[] {
  const lines = log.lines.slice(-LOG_LINE_LIMIT);
  if (lines.length === 0) return [];
  const run = log.previous ? ' (its run before the last restart)' : '';
  return [`    last log lines of ${log.container}${run}:`, ...lines.map((line) => `      ${line}`)];
}

/** Diagnostics for the workloads that did not become ready. */
export function rolloutDiagnostics(
  workloads: KubeObject[],
  pods: KubeObject[],
  events: KubeObject[],
  logs: ContainerLog[] = [],
): string {
  const lines: string[] = [];
  for (const workload of workloads) {
    const name = workload.metadata.name;
    lines.push(`${workload.kind.toLowerCase()}/${name}:`);
    const unready = unreadyPods(workload, pods);
    if (unready.length === 0) lines.push('  no unready pods');
    for (const pod of unready) {
      lines.push(`  ${describePod(pod)}`);
      for (const log of logs.filter((l) => l.pod === pod.metadata.name))
        lines.push(...describeLog(log));
    }
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
