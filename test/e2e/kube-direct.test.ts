// The deploy's door to the cluster (src/stages/deploy/kubectl.ts) against the testbed's API
// server, where the direct path and kubectl meet: the client-side apply stored as kubectl's
// dry run computed it, and its fallback to kubectl when the cluster changed in between.
import * as core from '@actions/core';
import { Kubectl } from '../../src/stages/deploy/kubectl';
import type { KubeObject } from '../../src/stages/deploy/model';
import {
  matchesWithDigest,
  placeholderDigest,
  withDigest,
} from '../../src/stages/deploy/placeholder';
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

describe('client-side apply computed with a stand-in digest', () => {
  const repository = `${env.REGISTRY}/e2e/stand-in`;
  const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;
  const real = digest('5e');
  const deployment = (image: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  });
  /** The stand-in's batch through kubectl's dry run, the real digest written into its answer. */
  async function computeAhead(kube: Kubectl) {
    const placeholder = placeholderDigest();
    const ahead = [configMap('settings', 'new'), deployment(`${repository}@${placeholder}`)];
    const computed = await kube.dryRun(ahead, CSA);
    const batch = [configMap('settings', 'new'), deployment(`${repository}@${real}`)];
    expect(matchesWithDigest(JSON.stringify(ahead), JSON.stringify(batch), placeholder, real)).toBe(
      true,
    );
    return { batch, computed: withDigest(computed, placeholder, real) };
  }
  const start = (namespace: string) =>
    kubectlOk(
      ['apply', '-n', namespace, '-f', '-'],
      list([configMap('settings', 'old'), deployment(`${repository}@${digest('01')}`)]),
    );

  // A controller's kind of change: the status only, through its subresource.
  const patchStatus = (namespace: string) =>
    kubectlOk([
      'patch',
      'deployment/web',
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"observedGeneration":7}}',
    ]);

  it.each([
    ['nothing changed in between', 'stand-in', undefined],
    [
      'only the status changed in between (written at its new version)',
      'stand-in-status',
      patchStatus,
    ],
  ])(
    'stores what the dry run of the real batch would have, %s: one kubectl process, kubectl diff clean',
    async (_case, name, between) => {
      const namespace = testNamespaces.create(name);
      start(namespace);
      const kube = new Kubectl(namespace);
      let batch: KubeObject[] = [];
      try {
        const ahead = await computeAhead(kube);
        batch = ahead.batch;
        await kube.readBases(ahead.computed);
        between?.(namespace);
        await kube.confirmComputed(batch, ahead.computed, real);
        await kube.apply(batch, CSA);
        expect(kube.calls).toBe(1);
      } finally {
        kube.dispose();
      }
      const live = getJson(['get', 'deployment/web', '-n', namespace]);
      expect(live.spec.template.spec.containers[0].image).toBe(`${repository}@${real}`);
      const diff = kubectl(['diff', '-n', namespace, '-f', '-'], list(batch));
      expect({ status: diff.status, out: diff.stdout + diff.stderr }).toEqual({
        status: 0,
        out: '',
      });
    },
  );

  it('refuses when an admission policy refuses the real digest, with nothing stored', async () => {
    const namespace = testNamespaces.create('stand-in-policy');
    const policy = `gantry-e2e-digest-${process.pid}`;
    start(namespace);
    kubectlOk(
      ['apply', '-f', '-'],
      list([
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicy',
          metadata: { name: policy },
          spec: {
            matchConstraints: {
              resourceRules: [
                {
                  apiGroups: ['apps'],
                  apiVersions: ['v1'],
                  operations: ['CREATE', 'UPDATE'],
                  resources: ['deployments'],
                },
              ],
            },
            validations: [
              {
                expression: `object.spec.template.spec.containers.all(c, !c.image.endsWith('${real}'))`,
                message: 'this digest is not allowed here',
              },
            ],
          },
        },
        {
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingAdmissionPolicyBinding',
          metadata: { name: policy },
          spec: {
            policyName: policy,
            validationActions: ['Deny'],
            matchResources: {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
            },
          },
        },
      ] as KubeObject[]),
    );
    const kube = new Kubectl(namespace);
    try {
      // The policy is in force once the server refuses the real digest in a dry run.
      const probe = list([deployment(`${repository}@${real}`)]);
      for (let i = 0; i < 100; i++) {
        const tried = kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', '-'], probe);
        if (tried.status !== 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const ahead = await computeAhead(kube);
      await expect(kube.confirmComputed(ahead.batch, ahead.computed, real)).rejects.toThrow(
        /Deployment\/web: .*this digest is not allowed here/,
      );
    } finally {
      kube.dispose();
      kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy]);
    }
    const live = getJson(['get', 'deployment/web', '-n', namespace]);
    expect(live.spec.template.spec.containers[0].image).toBe(`${repository}@${digest('01')}`);
    expect(getJson(['get', 'configmap/settings', '-n', namespace]).data.value).toBe('old');
  });

  it('refuses when an object changed after the stand-in dry run', async () => {
    const namespace = testNamespaces.create('stand-in-changed');
    start(namespace);
    const kube = new Kubectl(namespace);
    try {
      const ahead = await computeAhead(kube);
      await kube.readBases(ahead.computed);
      kubectlOk(['annotate', '-n', namespace, 'deployment/web', 'team.example/owner=ops']);
      await expect(kube.confirmComputed(ahead.batch, ahead.computed, real)).rejects.toThrow(
        /Deployment\/web: .*(Conflict|modified)/,
      );
    } finally {
      kube.dispose();
    }
  });
});
