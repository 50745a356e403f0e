import { rolloutStatus } from '../../../src/stages/deploy/kube/rollout-status';
import type { KubeObject } from '../../../src/stages/deploy/model';

const workload = (
  kind: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  generation = 2,
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', generation },
  spec,
  status,
});

// The same rules and lines as `kubectl rollout status` / `kubectl wait`.
describe('rolloutStatus', () => {
  it.each<[string, KubeObject, boolean, string, boolean]>([
    [
      'deployment not yet observed',
      workload('Deployment', { replicas: 2 }, { observedGeneration: 1 }),
      false,
      'Waiting for deployment spec update to be observed...',
      false,
    ],
    [
      'deployment updating',
      workload(
        'Deployment',
        { replicas: 3 },
        { observedGeneration: 2, updatedReplicas: 1, replicas: 3 },
      ),
      false,
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      false,
    ],
    [
      'deployment old pods terminating',
      workload(
        'Deployment',
        { replicas: 2 },
        { observedGeneration: 2, updatedReplicas: 2, replicas: 3 },
      ),
      false,
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      false,
    ],
    [
      'deployment pods not available',
      workload(
        'Deployment',
        { replicas: 2 },
        { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 },
      ),
      false,
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
      false,
    ],
    [
      'deployment done',
      workload(
        'Deployment',
        { replicas: 2 },
        { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 },
      ),
      true,
      'deployment "web" successfully rolled out',
      false,
    ],
    [
      'deployment past its deadline',
      workload(
        'Deployment',
        { replicas: 2 },
        {
          observedGeneration: 2,
          conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
        },
      ),
      false,
      'deployment "web" exceeded its progress deadline',
      true,
    ],
    [
      'daemon set updating',
      workload(
        'DaemonSet',
        {},
        { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 1 },
      ),
      false,
      'Waiting for daemon set "web" rollout to finish: 1 out of 3 new pods have been updated...',
      false,
    ],
    [
      'daemon set not available',
      workload(
        'DaemonSet',
        {},
        {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 2,
        },
      ),
      false,
      'Waiting for daemon set "web" rollout to finish: 2 of 3 updated pods are available...',
      false,
    ],
    [
      'daemon set done',
      workload(
        'DaemonSet',
        {},
        {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
        },
      ),
      true,
      'daemon set "web" successfully rolled out',
      false,
    ],
    [
      'daemon set OnDelete',
      workload('DaemonSet', { updateStrategy: { type: 'OnDelete' } }, {}),
      false,
      'rollout status is only available for RollingUpdate strategy type',
      true,
    ],
    [
      'statefulset not observed',
      workload('StatefulSet', { replicas: 2 }, { observedGeneration: 0 }),
      false,
      'Waiting for statefulset spec update to be observed...',
      false,
    ],
    [
      'statefulset pods not ready',
      workload('StatefulSet', { replicas: 3 }, { observedGeneration: 2, readyReplicas: 1 }),
      false,
      'Waiting for 2 pods to be ready...',
      false,
    ],
    [
      'statefulset partitioned',
      workload(
        'StatefulSet',
        { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 },
      ),
      false,
      'Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...',
      false,
    ],
    [
      'statefulset partition done',
      workload(
        'StatefulSet',
        { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
        { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 2 },
      ),
      true,
      'partitioned roll out complete: 2 new pods have been updated...',
      false,
    ],
    [
      'statefulset revisions differ',
      workload(
        'StatefulSet',
        { replicas: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          updatedReplicas: 1,
          updateRevision: 'b',
          currentRevision: 'a',
        },
      ),
      false,
      'waiting for statefulset rolling update to complete 1 pods at revision b...',
      false,
    ],
    [
      'statefulset done',
      workload(
        'StatefulSet',
        { replicas: 2 },
        {
          observedGeneration: 2,
          readyReplicas: 2,
          currentReplicas: 2,
          updateRevision: 'b',
          currentRevision: 'b',
        },
      ),
      true,
      'statefulset rolling update complete 2 pods at revision b...',
      false,
    ],
    [
      'replica set ready',
      workload('ReplicaSet', { replicas: 2 }, { readyReplicas: 2 }),
      true,
      'replicaset.apps/web condition met',
      false,
    ],
    [
      'replica set short',
      workload('ReplicaSet', { replicas: 2 }, { readyReplicas: 1 }),
      false,
      '1 of 2 replicas are ready',
      false,
    ],
    [
      'pod ready',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      true,
      'pod/p condition met',
      false,
    ],
    [
      'pod not ready',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        status: { conditions: [{ type: 'Ready', status: 'False' }] },
      },
      false,
      'pod/p is not Ready',
      false,
    ],
  ])('%s', (_what, object, done, message, failed) => {
    const status = rolloutStatus(object);
    expect(status.done).toBe(done);
    expect(status.message).toBe(message);
    expect(Boolean(status.failed)).toBe(Boolean(failed));
  });
});
