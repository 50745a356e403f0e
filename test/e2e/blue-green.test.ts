// Blue-green on the testbed's real node: green runs beside blue, the traffic switches to it
// once it is ready (route-method service: the Services' selectors; gateway-api: the HTTPRoute
// through the real router), promote or reject finish it, and an analysis that fails after the
// switch sends the traffic back by itself, while requests from this host never fail.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { startJudge } from '../harness/judge';
import {
  buildImage,
  deleteNamespaces,
  deploy,
  expectSuccess,
  getJson,
  newNamespace,
  requestLoop,
  routerTarget,
  sample,
  serviceTarget,
  until,
  versionShares,
  workspace,
  type Answer,
  type Target,
} from '../harness/realnode';

jest.setTimeout(15 * 60_000);

const images = { v1: '', v2: '', v3: '' };
beforeAll(() => {
  images.v1 = buildImage('1.0.0');
  images.v2 = buildImage('2.0.0');
  images.v3 = buildImage('3.0.0');
});
afterAll(deleteNamespaces);

function deploymentNames(namespace: string): string[] {
  return getJson(['get', 'deployments', '-n', namespace]).items.map(
    (d: { metadata: { name: string } }) => d.metadata.name,
  );
}

function image(namespace: string, name: string): string {
  return getJson(['get', `deployment/${name}`, '-n', namespace]).spec.template.spec.containers[0]
    .image;
}

function serviceNames(namespace: string): string[] {
  return getJson(['get', 'services', '-n', namespace])
    .items.map((s: { metadata: { name: string } }) => s.metadata.name)
    .sort();
}

function expectNoFailures(answers: Answer[], what: string): void {
  console.log(`${what}: ${answers.length} requests`, versionShares(answers));
  expect(answers.length).toBeGreaterThan(20);
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
}

/** The versions that answered, in order, each run of one version counted once. */
function versionRuns(answers: Answer[]): string[] {
  const runs: string[] = [];
  for (const answer of answers)
    if (answer.version && runs[runs.length - 1] !== answer.version) runs.push(answer.version);
  return runs;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- HTTPRoute JSON */
/** The live HTTPRoute's backendRefs, rule by rule. */
function liveBackends(namespace: string): any[][] {
  return getJson(['get', 'httproute/hello-go', '-n', namespace]).spec.rules.map(
    (rule: { backendRefs: any[] }) => rule.backendRefs,
  );
}

/**
 * The HTTPRoute's backendRefs as written in the workspace's manifests, as matchers: the
 * Gateway API CRD defaults fields (kind, group, weight) that a manifest may leave out.
 */
function writtenBackends(cwd: string): any[][] {
  const route = parseYaml(
    fs.readFileSync(path.join(cwd, 'k8s', 'gateway', 'httproute.yaml'), 'utf8'),
  );
  return route.spec.rules.map((rule: { backendRefs: any[] }) =>
    rule.backendRefs.map((ref) => expect.objectContaining(ref)),
  );
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('blue-green on the real node (route-method service)', () => {
  let namespace = '';
  let cwd = '';
  let target: Target;
  const blueGreen = { strategy: 'blue-green', 'route-method': 'service' };

  beforeAll(async () => {
    namespace = newNamespace('bluegreen');
    cwd = workspace(namespace).cwd;
    expectSuccess(
      await deploy(cwd, namespace, { ...blueGreen, 'deploy-images': images.v1 }),
      'succeeded',
    );
    target = serviceTarget(namespace, 'hello-go');
    await until(target, (a) => a.every((x) => x.version === '1.0.0'), 'blue 1.0.0 answering');
  });

  it('switches the Service to green once it is ready, with no failed request; reject switches back', async () => {
    let loop = requestLoop(target);
    expectSuccess(
      await deploy(cwd, namespace, { ...blueGreen, 'deploy-images': images.v2 }),
      'switched',
    );
    await until(target, (a) => a.every((x) => x.version === '2.0.0'), 'green 2.0.0 answering');
    expectNoFailures(await loop.stop(), 'deploy and switch');
    expect(deploymentNames(namespace).sort()).toEqual(['hello-go', 'hello-go-green']);
    expect(image(namespace, 'hello-go')).toBe(images.v1);

    loop = requestLoop(target);
    expectSuccess(
      await deploy(cwd, namespace, { ...blueGreen, 'deploy-action': 'reject' }),
      'rejected',
    );
    await until(target, (a) => a.every((x) => x.version === '1.0.0'), 'blue 1.0.0 after reject');
    expectNoFailures(await loop.stop(), 'reject');
    expect(deploymentNames(namespace)).toEqual(['hello-go']);
  });

  it('promotes green: the workload under its own name runs the new version, green is removed', async () => {
    expectSuccess(
      await deploy(cwd, namespace, { ...blueGreen, 'deploy-images': images.v3 }),
      'switched',
    );
    await until(target, (a) => a.every((x) => x.version === '3.0.0'), 'green 3.0.0 answering');
    const loop = requestLoop(target);
    const result = await deploy(cwd, namespace, {
      ...blueGreen,
      'deploy-action': 'promote',
      'deploy-images': images.v3,
    });
    expectSuccess(result, 'promoted');
    expectNoFailures(await loop.stop(), 'promote');
    expect(image(namespace, 'hello-go')).toBe(images.v3);
    expect(deploymentNames(namespace)).toEqual(['hello-go']);
    await until(target, (a) => a.every((x) => x.version === '3.0.0'), 'only 3.0.0 after promote');
  });
});

const ROUTED = { strategy: 'blue-green', 'route-method': 'gateway-api' };

/** A namespace whose blue (1.0.0) answers through the router, by the HTTPRoute as written. */
async function blueBehindRouter(
  name: string,
): Promise<{ namespace: string; cwd: string; target: Target }> {
  const namespace = newNamespace(name);
  const { cwd, host } = workspace(namespace, true);
  expectSuccess(
    await deploy(cwd, namespace, { ...ROUTED, 'deploy-images': images.v1 }),
    'succeeded',
  );
  const target = routerTarget(host);
  await until(target, (a) => a.every((x) => x.version === '1.0.0'), 'blue 1.0.0 answering');
  return { namespace, cwd, target };
}

describe('blue-green through the real router (route-method gateway-api)', () => {
  let namespace = '';
  let cwd = '';
  let target: Target;
  beforeAll(async () => ({ namespace, cwd, target } = await blueBehindRouter('bg-route')));

  it('sends the route to green once it is ready, with no failed request; reject sends it back as written', async () => {
    let loop = requestLoop(target);
    expectSuccess(
      await deploy(cwd, namespace, { ...ROUTED, 'deploy-images': images.v2 }),
      'switched',
    );
    // The action returns after the switch has settled: from here on only green answers.
    expect(versionShares(await sample(target, 40))).toEqual({ '2.0.0': 40 });
    let answers = await loop.stop();
    expectNoFailures(answers, 'deploy and switch');
    // One switch, at once: blue until it, green after it, never back and forth.
    expect(versionRuns(answers)).toEqual(['1.0.0', '2.0.0']);
    expect(liveBackends(namespace)).toEqual([
      [expect.objectContaining({ name: 'hello-go-green', port: 80, weight: 1 })],
    ]);
    expect(deploymentNames(namespace).sort()).toEqual(['hello-go', 'hello-go-green']);
    expect(serviceNames(namespace)).toEqual(['hello-go', 'hello-go-green']);
    expect(image(namespace, 'hello-go')).toBe(images.v1);

    loop = requestLoop(target);
    expectSuccess(
      await deploy(cwd, namespace, { ...ROUTED, 'deploy-action': 'reject' }),
      'rejected',
    );
    expect(versionShares(await sample(target, 40))).toEqual({ '1.0.0': 40 });
    answers = await loop.stop();
    expectNoFailures(answers, 'reject');
    expect(versionRuns(answers)).toEqual(['2.0.0', '1.0.0']);
    expect(liveBackends(namespace)).toEqual(writtenBackends(cwd));
    expect(deploymentNames(namespace)).toEqual(['hello-go']);
    expect(serviceNames(namespace)).toEqual(['hello-go']);
  });

  it('promotes green: blue runs the new version under its own name, the route is as written, green is removed', async () => {
    expectSuccess(
      await deploy(cwd, namespace, { ...ROUTED, 'deploy-images': images.v3 }),
      'switched',
    );
    expect(versionShares(await sample(target, 40))).toEqual({ '3.0.0': 40 });
    const loop = requestLoop(target);
    // The promoting job names no image (as a later workflow_dispatch would): blue gets green's.
    const result = await deploy(cwd, namespace, { ...ROUTED, 'deploy-action': 'promote' });
    expectSuccess(result, 'promoted');
    expect(versionShares(await sample(target, 40))).toEqual({ '3.0.0': 40 });
    const answers = await loop.stop();
    expectNoFailures(answers, 'promote');
    // Green served while blue rolled over, then blue on the new version: only 3.0.0 throughout.
    expect(versionRuns(answers)).toEqual(['3.0.0']);
    expect(image(namespace, 'hello-go')).toBe(images.v3);
    expect(liveBackends(namespace)).toEqual(writtenBackends(cwd));
    expect(deploymentNames(namespace)).toEqual(['hello-go']);
    expect(serviceNames(namespace)).toEqual(['hello-go']);
  });
});

describe('blue-green judged by a webhook through the real router', () => {
  let namespace = '';
  let cwd = '';
  let target: Target;
  beforeAll(async () => ({ namespace, cwd, target } = await blueBehindRouter('bg-judged')));

  it('switches back to blue by itself when the analysis fails after the switch, with no failed request', async () => {
    // The stand-in judge: green passes while it serves nothing (weight 0), fails once it
    // serves everything (weight 100), as a judge watching green's errors under real load.
    const judge = await startJudge(({ weight }) =>
      weight === 0
        ? { status: 200, body: 'green looks fine' }
        : { status: 500, body: 'error rate 7.5 % on green' },
    );
    try {
      const loop = requestLoop(target);
      const result = await deploy(cwd, namespace, {
        ...ROUTED,
        'deploy-images': images.v2,
        'canary-step-duration': '10s',
        'analysis-interval': '5s',
        'analysis-webhook': judge.url,
      });
      expect(versionShares(await sample(target, 40))).toEqual({ '1.0.0': 40 });
      const answers = await loop.stop();

      expect(result.exitCode).toBe(1);
      expect(result.outputs.rollout).toBe('rejected');
      const error = result.errors.join('\n');
      console.log(`rejection: ${error.split('\n')[0]}`);
      expect(error).toMatch(
        /The analysis rejected green after the switch: webhook: .*HTTP 500: error rate 7\.5 % on green/,
      );
      expect(error).toContain('Traffic is back on blue');
      // Two passes before the switch, two failures after it (failure-limit 1: the second rejects).
      expect(judge.calls).toEqual([
        { step: 1, weight: 0 },
        { step: 1, weight: 0 },
        { step: 2, weight: 100 },
        { step: 2, weight: 100 },
      ]);

      // Green really served after the switch, and every request was answered.
      expectNoFailures(answers, 'judged switch and switch back');
      expect(versionRuns(answers)).toEqual(['1.0.0', '2.0.0', '1.0.0']);
      expect(liveBackends(namespace)).toEqual(writtenBackends(cwd));
      expect(deploymentNames(namespace)).toEqual(['hello-go']);
      expect(serviceNames(namespace)).toEqual(['hello-go']);
      expect(image(namespace, 'hello-go')).toBe(images.v1);
    } finally {
      await judge.stop();
    }
  });
});
