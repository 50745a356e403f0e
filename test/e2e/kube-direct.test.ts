// The deploy's door to the cluster (src/stages/deploy/kubectl.ts) against the testbed's API
// server, where the direct path and kubectl meet: the client-side apply stored as kubectl's
// dry run computed it, and its fallback to kubectl when the cluster changed in between.
import * as core from '@actions/core';
import { Kubectl } from '../../src/stages/deploy/kubectl';
import type { KubeObject } from '../../src/stages/deploy/model';
import { getJson, kubectl, kubectlOk, TestNamespaces } from '../harness/kube';
import { testbedEnv } from '../harness/testbed';

jest.setTimeout(2 * 60_000);

const env = testbedEnv();
const saved = { KUBECONFIG: process.env.KUBECONFIG, PATH: process.env.PATH };
const testNamespaces = new TestNamespaces('gantry-e2e-kube');
beforeAll(() => {
  process.env.KUBECONFIG = env.KUBECONFIG;
  process.env.PATH = env.PATH;
});
afterAll(() => {
  process.env.KUBECONFIG = saved.KUBECONFIG;
  process.env.PATH = saved.PATH;
  testNamespaces.deleteAll();
});

const configMap = (name: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { value },
});
const CSA = { serverSide: false, force: false };
const list = (items: KubeObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('client-side apply through the dry run', () => {
  it("stores the dry run's result, creating and updating, with one kubectl process", async () => {
    const namespace = testNamespaces.create('computed');
    kubectlOk(['apply', '-n', namespace, '-f', '-'], list([configMap('old', '1')]));
    const batch = [configMap('old', '2'), configMap('new', '1')];
    const kube = new Kubectl(namespace);
    try {
      await kube.dryRun(batch, CSA);
      const applied = await kube.apply(batch, CSA);
      expect(applied.map((o) => `${o.metadata.name}=${o.data.value}`)).toEqual(['old=2', 'new=1']);
      expect(kube.calls).toBe(1);
    } finally {
      kube.dispose();
    }
    // kubectl would change nothing more: the objects are what its apply leaves.
    const diff = kubectl(['diff', '-n', namespace, '-f', '-'], list(batch));
    expect({ status: diff.status, out: diff.stdout + diff.stderr }).toEqual({ status: 0, out: '' });
  });

  it('leaves the batch to kubectl when an object changed after the dry run, keeping that change', async () => {
    const namespace = testNamespaces.create('changed');
    kubectlOk(['apply', '-n', namespace, '-f', '-'], list([configMap('cm', '1')]));
    const batch = [configMap('cm', '2')];
    const kube = new Kubectl(namespace);
    const said: string[] = [];
    const info = jest.spyOn(core, 'info').mockImplementation((line) => void said.push(line));
    try {
      await kube.dryRun(batch, CSA);
      // Someone else writes the object between the dry run and the apply.
      kubectlOk(['annotate', '-n', namespace, 'configmap/cm', 'team.example/owner=ops']);
      await kube.apply(batch, CSA);
      expect(kube.calls).toBe(2);
    } finally {
      info.mockRestore();
      kube.dispose();
    }
    expect(said.join('\n')).toMatch(/apply: kubectl applies the batch \(.*Conflict/);
    const live = getJson(['get', 'configmap/cm', '-n', namespace]);
    expect(live.data.value).toBe('2');
    expect(live.metadata.annotations['team.example/owner']).toBe('ops');
  });
});
