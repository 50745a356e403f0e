// The deploy stage on the testbed's REAL node (kubelet + containerd, not kwok): the example
// service (examples/hello-go) built in versions that work, crash or serve errors, deployed
// through the runner-like harness, and real requests from this host counting which version
// answered. Rolling deploys keep serving; a crash is rolled back with the container's last log
// lines; canaries get their share of requests by pod count and through the router.
import {
  buildImage,
  deleteNamespaces,
  deploy,
  env,
  expectSuccess,
  getJson,
  newNamespace,
  podsOnNodes,
  prometheusQuery,
  requestLoop,
  routerTarget,
  sample,
  serviceTarget,
  sleep,
  until,
  versionShares,
  workspace,
  type Target,
} from '../harness/realnode';
import { settledEndpointCount } from '../harness/kube';

jest.setTimeout(15 * 60_000);

/** Counted requests per canary measurement, and how far the share may be from the target. */
const SAMPLE = 500;
const SHARE_TOLERANCE_POINTS = 5;

type Variant = 'v1' | 'v2' | 'v3' | 'crash';
const VARIANTS: Record<Variant, { version: string; args: string[] }> = {
  v1: { version: '1.0.0', args: [] },
  v2: { version: '2.0.0', args: [] },
  v3: { version: '3.0.0', args: [] },
  crash: { version: '4.0.0-crash', args: ['FAIL_MODE=crash'] },
};
const images = {} as Record<Variant, string>;

afterAll(deleteNamespaces);

beforeAll(() => {
  for (const variant of Object.keys(VARIANTS) as Variant[])
    images[variant] = buildImage(VARIANTS[variant].version, VARIANTS[variant].args);
});

describe('rolling deploys on the real node', () => {
  let namespace = '';
  let cwd = '';
  beforeAll(() => {
    namespace = newNamespace('rolling');
    cwd = workspace(namespace).cwd;
  });

  it('rolls out a new version while the old one keeps serving, with metrics by pod', async () => {
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': images.v1 }), 'succeeded');
    expect(podsOnNodes(namespace)).toEqual([env.REALNODE]);
    const service = serviceTarget(namespace, 'hello-go');
    await until(service, (a) => a.every((x) => x.version === '1.0.0'), 'version 1.0.0 answering');

    // maxSurge 1, maxUnavailable 0: 4 ready pods at every moment, so no request may fail.
    const loop = requestLoop(service);
    expectSuccess(await deploy(cwd, namespace, { 'deploy-images': images.v2 }), 'succeeded');
    await until(service, (a) => a.every((x) => x.version === '2.0.0'), 'version 2.0.0 alone');
    const during = await loop.stop();
    const shares = versionShares(during);
    console.log(`rolling 1.0.0 -> 2.0.0, ${during.length} requests during the rollout:`, shares);
    expect(during.filter((a) => a.status !== 200)).toEqual([]);
    expect(shares['1.0.0']).toBeGreaterThan(0);
    expect(shares['2.0.0']).toBeGreaterThan(0);

    // Prometheus: the request rate by pod and track and the error ratio, from the pods' own
    // /metrics, while requests go on (the old pods' series age out of the 30 s window).
    const live = getJson(['get', 'pods', '-n', namespace, '-l', 'app=hello-go'])
      .items.filter(
        (pod: { metadata: { deletionTimestamp?: string } }) => !pod.metadata.deletionTimestamp,
      )
      .map((pod: { metadata: { name: string } }) => pod.metadata.name)
      .sort();
    const traffic = requestLoop(service);
    const selector = `namespace="${namespace}",deployment="hello-go",pod=~"${live.join('|')}"`;
    const deadline = Date.now() + 60_000;
    let byPod: { metric: Record<string, string> }[] = [];
    const started = Date.now();
    while (Date.now() < deadline) {
      byPod = await prometheusQuery(
        `sum by (pod, track) (rate(http_requests_total{${selector}}[30s])) > 0`,
      );
      if (byPod.length === live.length) break;
      await sleep(1000);
    }
    console.log(
      `Prometheus: request rate for all ${live.length} pods after ${Date.now() - started} ms`,
    );
    const errorRatio = await prometheusQuery(
      `(sum(rate(http_requests_total{${selector},code=~"5.."}[30s])) or vector(0)) / sum(rate(http_requests_total{${selector}}[30s]))`,
    );
    await traffic.stop();
    expect(byPod.map((r) => [r.metric.pod, r.metric.track]).sort()).toEqual(
      live.map((pod: string) => [pod, 'stable']),
    );
    expect(errorRatio.map((r) => Number(r.value[1]))).toEqual([0]);
  });

  it('rolls a crashing version back, with its last log lines and events, serving throughout', async () => {
    const service = serviceTarget(namespace, 'hello-go');
    const loop = requestLoop(service);
    const crashed = await deploy(cwd, namespace, {
      'deploy-images': images.crash,
      'rollout-timeout': '40s',
    });
    const during = await loop.stop();

    expect(crashed.exitCode).not.toBe(0);
    expect(crashed.outputs.rollout).toBe('rolled-back');
    const error = crashed.errors.join('\n');
    expect(error).toMatch(/rolled back deployment\/hello-go to the previous version/);
    // The container's own last words, read from the real node through the API server.
    expect(error).toMatch(
      /last log lines of hello-go[^\n]*:\n\s+\{[^\n]*refusing to start: FAIL_MODE=crash/,
    );
    expect(error).toMatch(/recent events:/);
    expect(error).toMatch(/BackOff: Back-off restarting failed container hello-go/);
    expect(crashed.summary).toContain('refusing to start: FAIL_MODE=crash');
    expect(crashed.summary).toContain('Back-off restarting failed container');

    // maxUnavailable 0: the crashing pod never became ready, the 4 old ones served every request.
    console.log(`crash rollout, ${during.length} requests:`, versionShares(during));
    expect(during.filter((a) => a.status !== 200)).toEqual([]);
    expect(versionShares(during)).toEqual({ '2.0.0': during.length });
    expect(versionShares(await sample(service, 40))).toEqual({ '2.0.0': 40 });
  });
});

describe('canary on the real node', () => {
  const canary = { strategy: 'canary', 'canary-percentage': '20' };

  async function measure(target: Target, label: string): Promise<number> {
    const answers = await sample(target, SAMPLE);
    const shares = versionShares(answers);
    const percent = (100 * (shares['2.0.0'] ?? 0)) / SAMPLE;
    console.log(`${label}: ${SAMPLE} requests`, shares, `-> canary ${percent.toFixed(1)} %`);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    return percent;
  }

  it.each([
    ['pod', false],
    ['gateway-api', true],
  ] as [string, boolean][])(
    'traffic-split %s: 20 %% of requests reach the canary; promote, then reject',
    async (split, withRoute) => {
      const namespace = newNamespace(split.replace(/[^a-z]/g, ''));
      const { cwd, host } = workspace(namespace, withRoute);
      const inputs = { ...canary, 'traffic-split': split };
      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v1 }),
        'succeeded',
      );
      const target = withRoute ? routerTarget(host) : serviceTarget(namespace, 'hello-go');
      await until(target, (a) => a.every((x) => x.version === '1.0.0'), 'stable 1.0.0 answering');

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v2 }),
        'canary-ready',
      );
      expect(podsOnNodes(namespace)).toEqual([env.REALNODE]);
      // The Service or route follows the canary's readiness a moment later: by pod split, the
      // Service's endpoints are the 4 stable pods and the canary's 1 once they have settled.
      if (!withRoute) expect(await settledEndpointCount(namespace, 'hello-go', 5)).toBe(5);
      await until(target, (a) => a.some((x) => x.version === '2.0.0'), 'the canary answering', 30);
      const percent = await measure(target, `canary (${split}) at 20 %`);
      expect(Math.abs(percent - 20)).toBeLessThanOrEqual(SHARE_TOLERANCE_POINTS);

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-action': 'promote' }),
        'promoted',
      );
      await until(target, (a) => a.every((x) => x.version === '2.0.0'), 'only 2.0.0 after promote');
      expect(versionShares(await sample(target, 100))).toEqual({ '2.0.0': 100 });

      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-images': images.v3 }),
        'canary-ready',
      );
      await until(
        target,
        (a) => a.some((x) => x.version === '3.0.0'),
        'the second canary answering',
        30,
      );
      expectSuccess(
        await deploy(cwd, namespace, { ...inputs, 'deploy-action': 'reject' }),
        'rejected',
      );
      await until(target, (a) => a.every((x) => x.version === '2.0.0'), 'only 2.0.0 after reject');
      expect(versionShares(await sample(target, 100))).toEqual({ '2.0.0': 100 });
    },
  );
});
