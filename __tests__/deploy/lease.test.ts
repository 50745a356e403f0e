import {
  describeHolder,
  heldBy,
  isFree,
  leaseFor,
  leaseName,
  microTime,
  releasedLease,
  takenLease,
} from '../../src/stages/deploy/lease';
import type { KubeObject } from '../../src/stages/deploy/model';

const web: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
const NOW = Date.parse('2026-12-01T20:00:00Z');

function lease(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'gantry-deployment-web', namespace: 'prod', resourceVersion: '41' },
    spec,
  };
}

describe('leases', () => {
  it('names one lease per workload, in its namespace', () => {
    expect(leaseName(web)).toBe('gantry-deployment-web');
    expect(leaseFor(web, 'prod').metadata).toEqual({
      name: 'gantry-deployment-web',
      namespace: 'prod',
    });
    expect(
      leaseFor({ ...web, metadata: { name: 'web', namespace: 'own' } }, 'prod').metadata.namespace,
    ).toBe('own');
    expect(leaseFor(web, '').metadata).toEqual({ name: 'gantry-deployment-web' });
  });

  it.each([
    ['no lease', undefined, true],
    ['given back (no holder)', lease({ holderIdentity: '', leaseDurationSeconds: 60 }), true],
    [
      'held and renewed 10 s ago for 60 s',
      lease({ holderIdentity: 'x', leaseDurationSeconds: 60, renewTime: microTime(NOW - 10_000) }),
      false,
    ],
    [
      'held but expired',
      lease({ holderIdentity: 'x', leaseDurationSeconds: 60, renewTime: microTime(NOW - 61_000) }),
      true,
    ],
    [
      'held with no time (unreadable)',
      lease({ holderIdentity: 'x', leaseDurationSeconds: 60 }),
      true,
    ],
  ])('%s: free is %p', (_name, current, free) => {
    expect(isFree(current, NOW)).toBe(free);
  });

  it('takes a lease at the resourceVersion read, and gives it back at the one taken', () => {
    const holder = {
      identity: 'acme/app run 7 attempt 1 job ship (h pid 1)',
      runUrl: 'https://github.com/acme/app/actions/runs/7',
    };
    const taken = takenLease(
      leaseFor(web, 'prod'),
      lease({ holderIdentity: '' }),
      holder,
      'deployment/web',
      720,
      NOW,
    );
    expect(taken.metadata.resourceVersion).toBe('41');
    expect(taken.spec).toEqual({
      holderIdentity: holder.identity,
      leaseDurationSeconds: 720,
      acquireTime: '2026-12-01T20:00:00.000000Z',
      renewTime: '2026-12-01T20:00:00.000000Z',
    });
    const fresh = takenLease(leaseFor(web, 'prod'), undefined, holder, 'deployment/web', 720, NOW);
    expect(fresh.metadata.resourceVersion).toBeUndefined();

    const released = releasedLease({
      ...taken,
      metadata: { ...taken.metadata, resourceVersion: '42' },
    });
    expect(released.metadata.resourceVersion).toBe('42');
    expect(released.spec.holderIdentity).toBe('');

    expect(describeHolder(heldBy(taken, 'deployment/web in prod'))).toBe(
      'deployment/web in prod is being deployed by run https://github.com/acme/app/actions/runs/7 (acme/app run 7 attempt 1 job ship (h pid 1)) since 2026-12-01T20:00:00.000000Z (lease/gantry-deployment-web)',
    );
  });
});
