// The first look at the leases may be a read made during the scan (deploy's liveAhead): a lease
// it shows held is read again at once, not waited for; one that changed since makes the take
// fail and the deploy looks again.
import { acquireLeases } from '../../src/stages/deploy/concurrency';
import type { Kubectl } from '../../src/stages/deploy/kubectl';
import { leaseFor, microTime } from '../../src/stages/deploy/lease';
import { liveKey, type LiveObjects } from '../../src/stages/deploy/live';
import type { KubeObject } from '../../src/stages/deploy/model';

const workload: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
};
const base = leaseFor(workload, 'prod');

function lease(resourceVersion: string, holder = ''): KubeObject {
  return {
    ...base,
    metadata: { ...base.metadata, resourceVersion },
    spec: holder
      ? {
          holderIdentity: holder,
          leaseDurationSeconds: 600,
          renewTime: microTime(Date.now()),
        }
      : { holderIdentity: '' },
  };
}

function live(current: KubeObject): LiveObjects {
  return new Map([[liveKey('Lease', 'prod', base.metadata.name), current]]);
}

/** A cluster holding one lease at `current`: a replace at another resourceVersion is refused. */
function cluster(start: KubeObject) {
  let current = start;
  const writes: string[] = [];
  const kube = {
    createOrReplace: async (verb: string, objects: KubeObject[]) => {
      const stored: KubeObject[] = [];
      for (const object of objects) {
        writes.push(`${verb} ${object.spec?.holderIdentity || '(free)'}`);
        if (object.metadata.resourceVersion !== current.metadata.resourceVersion)
          return { stored, refused: 'Conflict' };
        current = lease(String(Number(current.metadata.resourceVersion) + 1));
        current.spec = object.spec;
        stored.push(current);
      }
      return { stored, refused: '' };
    },
  } as unknown as Kubectl;
  return {
    kube,
    writes,
    reads: 0,
    set: (next: KubeObject) => (current = next),
    read(this: { reads: number }) {
      this.reads++;
      return Promise.resolve(live(current));
    },
  };
}

const request = (c: ReturnType<typeof cluster>, firstLook: { live: LiveObjects; early: boolean }) =>
  acquireLeases({
    kube: c.kube,
    workloads: [workload],
    namespace: 'prod',
    holder: { identity: 'run-2', runUrl: '' },
    durationSeconds: 60,
    waitSeconds: 0,
    readLive: () => c.read(),
    firstLook,
    signal: new AbortController().signal,
  });

describe('acquireLeases with a first look made during the scan', () => {
  it('takes a lease that look showed free, without reading again', async () => {
    const c = cluster(lease('5'));
    const { held } = await request(c, { live: live(lease('5')), early: true });
    expect(held[0].spec?.holderIdentity).toBe('run-2');
    expect(c.reads).toBe(0);
  });

  it('reads again at once when that look showed the lease held, and takes it if free now', async () => {
    const c = cluster(lease('7'));
    const { held } = await request(c, { live: live(lease('6', 'run-1')), early: true });
    expect(held[0].spec?.holderIdentity).toBe('run-2');
    expect(c.reads).toBe(1);
  });

  it('fails at once with lease-wait 0 when a fresh look shows it held', async () => {
    const c = cluster(lease('6', 'run-1'));
    await expect(request(c, { live: live(lease('6', 'run-1')), early: false })).rejects.toThrow(
      /Another deploy of the same workloads is still running after waiting 0 s/,
    );
    expect(c.reads).toBe(0);
  });

  it('looks again when the lease changed since that look (another run came and went)', async () => {
    const c = cluster(lease('9'));
    const { held } = await request(c, { live: live(lease('5')), early: true });
    // Refused at the old resourceVersion, then taken at the one read afresh.
    expect(c.writes).toEqual(['replace run-2', 'replace run-2']);
    expect(held[0].metadata.resourceVersion).toBe('10');
    expect(c.reads).toBe(1);
  });
});
