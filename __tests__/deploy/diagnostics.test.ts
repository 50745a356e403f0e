import {
  containersToLog,
  LOGGED_CONTAINER_LIMIT,
  rolloutDiagnostics,
} from '../../src/stages/deploy/diagnostics';
import type { KubeObject } from '../../src/stages/deploy/model';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } } },
  },
};

const pod = (
  name: string,
  app: string,
  ready: boolean,
  state: object,
  lastState: object = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app } },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'app', image: 'app:2', ready, state, lastState }],
  },
});

const event = (name: string, kind: string, reason: string, time: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `${name}.1` },
  involvedObject: { kind, name },
  type: 'Warning',
  reason,
  message: `${reason} happened`,
  lastTimestamp: time,
});

describe('rolloutDiagnostics', () => {
  it('lists unready pods with container states and the recent events of the workload', () => {
    const text = rolloutDiagnostics(
      [deployment],
      [
        pod('web-2-a', 'web', false, {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' },
        }),
        pod('web-1-b', 'web', true, { running: {} }),
        pod('other-1-c', 'other', false, { running: {} }),
      ],
      [
        event('web-2-a', 'Pod', 'Unhealthy', '2026-01-01T00:00:02Z'),
        event('web', 'Deployment', 'ScalingReplicaSet', '2026-01-01T00:00:01Z'),
        event('other-1-c', 'Pod', 'Unhealthy', '2026-01-01T00:00:03Z'),
      ],
    );
    expect(text.split('\n')).toEqual([
      'deployment/web:',
      '  pod/web-2-a Running, not ready; app app:2: waiting (CrashLoopBackOff: back-off 10s)',
      '  recent events:',
      '    2026-01-01T00:00:01Z Warning deployment/web ScalingReplicaSet: ScalingReplicaSet happened',
      '    2026-01-01T00:00:02Z Warning pod/web-2-a Unhealthy: Unhealthy happened',
    ]);
  });

  it('says so when no pod is unready', () => {
    expect(rolloutDiagnostics([deployment], [], [])).toBe('deployment/web:\n  no unready pods');
  });

  it("shows a failing container's last log lines under its pod", () => {
    const crashed = pod(
      'web-2-a',
      'web',
      false,
      { waiting: { reason: 'CrashLoopBackOff' } },
      { terminated: { exitCode: 1 } },
    );
    const text = rolloutDiagnostics(
      [deployment],
      [crashed],
      [],
      [
        {
          pod: 'web-2-a',
          container: 'app',
          previous: true,
          lines: Array.from({ length: 12 }, (_, i) => `line ${i + 1}`),
        },
      ],
    );
    expect(text.split('\n')).toEqual([
      'deployment/web:',
      '  pod/web-2-a Running, not ready; app app:2: waiting (CrashLoopBackOff)',
      '    last log lines of app (its run before the last restart):',
      ...Array.from({ length: 10 }, (_, i) => `      line ${i + 3}`),
    ]);
  });
});

describe('containersToLog', () => {
  it.each([
    [
      'crash-looping: the run before the restart',
      { waiting: { reason: 'CrashLoopBackOff' } },
      { terminated: { exitCode: 1 } },
      [{ pod: 'web-1-a', container: 'app', previous: true }],
    ],
    [
      'exited just now: its current run',
      { terminated: { exitCode: 1 } },
      {},
      [{ pod: 'web-1-a', container: 'app', previous: false }],
    ],
    [
      'running, never ready: its current run',
      { running: {} },
      {},
      [{ pod: 'web-1-a', container: 'app', previous: false }],
    ],
    [
      'waiting for its first start (image pull): no logs yet',
      { waiting: { reason: 'ErrImagePull' } },
      {},
      [],
    ],
  ])('%s', (_what, state, lastState, expected) => {
    expect(containersToLog([deployment], [pod('web-1-a', 'web', false, state, lastState)])).toEqual(
      expected,
    );
  });

  it('skips ready pods and other workloads, and reads a few containers at most', () => {
    const pods = [
      pod('web-1-ready', 'web', true, { running: {} }),
      pod('other-1-a', 'other', false, { running: {} }),
      ...Array.from({ length: 5 }, (_, i) => pod(`web-1-${i}`, 'web', false, { running: {} })),
    ];
    const targets = containersToLog([deployment], pods);
    expect(targets).toHaveLength(LOGGED_CONTAINER_LIMIT);
    expect(targets.map((t) => t.pod)).toEqual(['web-1-0', 'web-1-1', 'web-1-2']);
  });
});
