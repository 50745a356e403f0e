import { rolloutDiagnostics } from '../../src/stages/deploy/diagnostics';
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

const pod = (name: string, app: string, ready: boolean, state: object): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app } },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'app', image: 'app:2', ready, state }],
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
});
