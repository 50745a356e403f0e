import { settledRollout } from '../../src/stages/deploy/rollout-state';
import type { KubeObject } from '../../src/stages/deploy/model';

function deployment(
  generation: number | undefined,
  status: Record<string, unknown> | undefined,
  spec: Record<string, unknown> = { replicas: 3 },
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', ...(generation === undefined ? {} : { generation }) },
    spec,
    ...(status ? { status } : {}),
  };
}

const done = {
  observedGeneration: 4,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [{ type: 'Progressing', reason: 'NewReplicaSetAvailable' }],
};

describe('settledRollout: an applied Deployment that needs no rollout wait', () => {
  it.each<[string, KubeObject, boolean]>([
    ['unchanged and fully rolled out', deployment(4, done), true],
    ['a new generation the controller has not seen', deployment(5, done), false],
    ['no status (the manifest, not the server object)', deployment(4, undefined), false],
    ['no generation', deployment(undefined, done), false],
    [
      'one replica still on the old template',
      deployment(4, { ...done, updatedReplicas: 2 }),
      false,
    ],
    ['an old replica not yet gone', deployment(4, { ...done, replicas: 4 }), false],
    [
      'an updated replica not yet available',
      deployment(4, { ...done, availableReplicas: 2 }),
      false,
    ],
    [
      'progress deadline exceeded',
      deployment(4, {
        ...done,
        conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
      }),
      false,
    ],
    ['paused', deployment(4, done, { replicas: 3, paused: true }), false],
    [
      'replicas unset means one',
      deployment(4, { ...done, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }, {}),
      true,
    ],
    ['scaled to zero', deployment(4, { observedGeneration: 4 }, { replicas: 0 }), true],
    ['a StatefulSet (always waited for)', { ...deployment(4, done), kind: 'StatefulSet' }, false],
  ])('%s', (_name, object, settled) => {
    expect(settledRollout(object) !== undefined).toBe(settled);
  });

  it('says why no wait was needed', () => {
    expect(settledRollout(deployment(4, done))).toBe(
      'already rolled out: the apply changed nothing that rolls (generation 4, 3 of 3 replicas updated and available)',
    );
  });
});
