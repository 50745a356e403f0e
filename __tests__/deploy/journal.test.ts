import { isStillOurs, Journal, templateFingerprint } from '../../src/stages/deploy/journal';
import { JOURNAL_STATE, savedJournal } from '../../src/stages/deploy/journal-state';
import type { KubeObject } from '../../src/stages/deploy/model';

function deployment(image: string, order: 'ab' | 'ba' = 'ab'): KubeObject {
  const labels = order === 'ab' ? { a: '1', b: '2' } : { b: '2', a: '1' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', generation: 3 },
    spec: {
      replicas: 2,
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

describe('journal', () => {
  it('fingerprints the pod template only, whatever the key order', () => {
    expect(templateFingerprint(deployment('x'))).toBe(templateFingerprint(deployment('x', 'ba')));
    const scaled = { ...deployment('x'), spec: { ...deployment('x').spec, replicas: 5 } };
    expect(templateFingerprint(scaled)).toBe(templateFingerprint(deployment('x')));
    expect(templateFingerprint(deployment('y'))).not.toBe(templateFingerprint(deployment('x')));
  });

  it('tells whether a workload still runs what this run applied', () => {
    const record = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      namespace: 'prod',
      revision: '1',
      images: ['x'],
      fingerprint: templateFingerprint(deployment('x')),
    };
    expect(isStillOurs(record, deployment('x'))).toBe(true);
    expect(isStillOurs(record, deployment('y'))).toBe(false);
    // Killed before the apply answered: only the images are known.
    expect(isStillOurs({ ...record, fingerprint: '' }, deployment('x'))).toBe(true);
    expect(isStillOurs({ ...record, fingerprint: '' }, deployment('y'))).toBe(false);
  });

  it('saves every change, and says when the main step finished', () => {
    const saved: string[] = [];
    const journal = new Journal('prod', (json) => saved.push(json));
    journal.record({ deploymentId: 7 });
    journal.finish();
    expect(saved.map((json) => JSON.parse(json).phase)).toEqual(['applying', 'done']);
    expect(JSON.parse(saved[1])).toMatchObject({ namespace: 'prod', deploymentId: 7 });
  });

  it('reaches the post step as the runner hands state over (STATE_<name>)', () => {
    const saved: string[] = [];
    const journal = new Journal('prod', (json) => saved.push(json));
    journal.record({ leases: [{ name: 'l', namespace: 'prod', holder: 'run-1' }] });
    const post = (i: number) => savedJournal({ [`STATE_${JOURNAL_STATE}`]: saved[i] });
    expect(post(0)).toEqual(journal.current);
    expect(post(0)?.phase).toBe('applying');
    journal.finish();
    expect(post(1)?.phase).toBe('done');
    // No deploy in the main step: no state, nothing for the post step to do.
    expect(savedJournal({})).toBeUndefined();
    expect(savedJournal({ [`STATE_${JOURNAL_STATE}`]: '' })).toBeUndefined();
  });
});
