import {
  chunks,
  kubeconfigSecrets,
  parseKubectlJson,
  qualifiedRef,
  REFS_PER_CALL,
} from '../../src/stages/deploy/kubectl';
import { kubectlDuration, parseDuration } from '../../src/lib/duration';

describe('parseKubectlJson', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
  it.each([
    ['nothing (all ignored as not found)', '', []],
    ['one object', JSON.stringify(cm), [cm]],
    ['a List', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cm, cm] }), [cm, cm]],
    ['an empty List', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }), []],
  ])('reads %s', (_name, stdout, objects) => {
    expect(parseKubectlJson(stdout)).toEqual(objects);
  });
});

describe('durations', () => {
  it.each([
    ['5m', 300],
    ['90s', 90],
    ['1h30m', 5400],
    ['1m30s', 90],
    ['250ms', 0.25],
    ['45', 45],
    ['soon', undefined],
    ['5 minutes', undefined],
    ['', undefined],
  ])('%s is %p seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    [300, '300s'],
    [0.25, '1s'],
    [90.5, '91s'],
  ])('%p seconds is kubectl --timeout=%s', (seconds, text) => {
    expect(kubectlDuration(seconds)).toBe(text);
  });
});

describe('kubeconfigSecrets', () => {
  it('finds the credentials of every user entry', () => {
    const kubeconfig = [
      'users:',
      '- name: a',
      '  user:',
      '    client-certificate-data: Q0VSVA==',
      '    client-key-data: S0VZ',
      '- name: b',
      '  user:',
      '    token: "abc.def"',
      '- name: c',
      '  user: {username: u}',
      '    password: hunter2',
    ].join('\n');
    expect(kubeconfigSecrets(kubeconfig)).toEqual(['Q0VSVA==', 'S0VZ', 'abc.def', 'hunter2']);
  });

  it('finds them in a JSON kubeconfig too (kubectl accepts JSON)', () => {
    const kubeconfig = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      users: [
        { name: 'a', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } },
        { name: 'b', user: { token: 'abc.def' } },
        { name: 'c', user: { username: 'u', password: 'p"w' } },
        {
          name: 'd',
          user: { 'auth-provider': { config: { 'id-token': 'idt', 'refresh-token': 'rt' } } },
        },
      ],
    });
    expect(kubeconfigSecrets(kubeconfig).sort()).toEqual(
      ['Q0VSVA==', 'S0VZ', 'abc.def', 'idt', 'p"w', 'rt'].sort(),
    );
    // Pretty-printed JSON, and JSON that does not parse, are masked all the same.
    expect(kubeconfigSecrets(JSON.stringify(JSON.parse(kubeconfig), null, 2))).toContain('S0VZ');
    expect(kubeconfigSecrets('{"users": [{"user": {"token": "t0k"}}')).toEqual(['t0k']);
  });
});

describe('batched reads', () => {
  it('splits 30,000 names into command lines far below the OS limit', () => {
    const names = Array.from({ length: 30_000 }, (_, i) => `deployment.apps/service-${i}`);
    const batches = chunks(names, REFS_PER_CALL);
    expect(batches.flat()).toEqual(names);
    expect(Math.max(...batches.map((b) => b.join(' ').length))).toBeLessThan(64 * 1024);
  });

  it.each([
    [{ apiVersion: 'apps/v1', kind: 'Deployment' }, 'deployment.apps/web'],
    [{ apiVersion: 'v1', kind: 'Service' }, 'service/web'],
    [{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }, 'lease.coordination.k8s.io/web'],
  ])('names %p as %s', (type, ref) => {
    expect(qualifiedRef({ ...type, metadata: { name: 'web' } })).toBe(ref);
  });
});
