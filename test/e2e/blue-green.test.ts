// Blue-green on the testbed's real node (route-method service): green runs beside blue, the
// Services switch to it once it is ready, and promote or reject finish it, while requests
// from this host to the Service's ClusterIP never fail.
import {
  buildImage,
  deleteNamespaces,
  deploy,
  expectSuccess,
  getJson,
  newNamespace,
  requestLoop,
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

function expectNoFailures(answers: Answer[], what: string): void {
  console.log(`${what}: ${answers.length} requests`, versionShares(answers));
  expect(answers.length).toBeGreaterThan(20);
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
}

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
