// `npm run demo`: the main job, end to end, on the example service against the local testbed,
// whose pods run for real on its real node. Releases through the same `gantry` CLI a team
// would run in CI, each followed by a real request to the service:
//   v1.2.2  first release, rolling deploy                         -> serving
//   v1.2.3  canary at 20 % through the router (Gateway API), then promote -> serving
//   v1.2.4  a planted vulnerability: the scan gate stops it before deploy
//   v1.2.5  a build that never becomes ready: rolled back automatically, v1.2.3 keeps serving
//   v1.2.6  canary steps 10 % -> 50 %, judged by Prometheus under load: promoted by itself
//   v1.2.7  a build failing 5 % of requests: rejected by the analysis before it gets all traffic
//   v1.2.8  blue-green through the router: green beside blue, the HTTPRoute switched once green
//           is ready, then promoted; requests flow throughout
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(ROOT, 'examples', 'hello-go');
const NAMESPACE = 'gantry-demo';
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');
// The Deployment, Service, ConfigMap and Secret, and the route through the testbed's router.
const MANIFESTS = [path.join(APP, 'k8s'), path.join(APP, 'gateway')].join('\n');
const ROUTE_HOST = 'hello.testbed.local';

function banner(text: string): void {
  console.log(`\n${'═'.repeat(78)}\n  ${text}\n${'═'.repeat(78)}`);
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: ROOT });
  return result.status ?? 1;
}

function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

interface Answer {
  status: number;
  body: string;
}

/** One GET on a new connection, to a testbed ClusterIP or the router on 127.0.0.1. */
function get(url: string, host?: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.get(
      url,
      { agent: false, timeout: 3000, headers: host ? { host } : {} },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
  });
}

const versionOf = (answer: Answer) =>
  /"version":"([^"]*)"/.exec(answer.body)?.[1] ?? `HTTP ${answer.status}`;

/** What the service answers now: one request to its ClusterIP, and a split through the router. */
async function showService(env: NodeJS.ProcessEnv, split: boolean): Promise<string> {
  const ip = spawnSync(
    'kubectl',
    ['-n', NAMESPACE, 'get', 'service', 'hello-go', '-o', 'jsonpath={.spec.clusterIP}'],
    { env, encoding: 'utf8' },
  ).stdout.trim();
  const answer = await get(`http://${ip}/`);
  let line = `GET http://${ip}/ -> ${answer.status} ${answer.body}`;
  if (split && env.ROUTER_URL) {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const version = versionOf(await get(`${env.ROUTER_URL}/`, ROUTE_HOST));
      counts[version] = (counts[version] ?? 0) + 1;
    }
    const shares = Object.entries(counts)
      .map(([version, n]) => `${version} x${n}`)
      .join(', ');
    line += `\n    50 requests through ${env.ROUTER} (${env.ROUTER_URL}, Host ${ROUTE_HOST}): ${shares}`;
  }
  console.log(`\n  ${line}`);
  return line;
}

interface Release {
  title: string;
  tag: string;
  expect: 'success' | 'failure';
  flags: string[];
  /** Also count 50 requests through the router. */
  split?: boolean;
  /** Send requests through the router while the release runs (the analysis needs traffic). */
  load?: boolean;
}

/** Runs the CLI without blocking, with a request every 50 ms through the router meanwhile. */
async function runUnderLoad(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; load: string }> {
  const child = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: ROOT });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  let running = true;
  const counts: Record<string, number> = {};
  const loop = (async () => {
    while (running) {
      const version = versionOf(await get(`${env.ROUTER_URL}/`, ROUTE_HOST));
      counts[version] = (counts[version] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const code = await exited;
  running = false;
  await loop;
  const load = Object.entries(counts)
    .map(([version, n]) => `${version} x${n}`)
    .join(', ');
  return { code, load };
}

async function main(): Promise<void> {
  banner('testbed: Docker engine, registry, BuildKit, Trivy, Kubernetes (a real node, kwok nodes)');
  if (sh('bash', ['scripts/testbed/testbed.sh', 'up']) !== 0) process.exit(1);
  const env = { ...process.env, ...readEnvFile(path.join(ROOT, '.testbed', 'env')) };
  const registry = env.REGISTRY ?? '127.0.0.1:5000';
  sh(
    'kubectl',
    ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s'],
    env,
  );
  sh('kubectl', ['create', 'namespace', NAMESPACE], env);

  // Where every release deploys; a promote (a later job) needs only this.
  const where = [
    '--manifests',
    MANIFESTS,
    '--namespace',
    NAMESPACE,
    '--rollout-timeout',
    '60s',
    '--repository',
    'acme/hello-go',
  ];
  const common = [
    '--images',
    `${registry}/demo/hello-go`,
    '--tags',
    'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}\ntype=sha',
    '--context',
    APP,
    '--push',
    'true',
    '--cache',
    'registry',
    '--fail-on',
    'CRITICAL',
    // The testbed's offline vulnerability DB: nothing in the demo reaches the internet.
    '--trivy-db-repository',
    env.TRIVY_DB_REPOSITORY ?? `${registry}/trivy-db:2`,
    ...where,
  ];
  // The example's own Dockerfile: the version each response names, and a broken build by a
  // build arg (see examples/hello-go/main.go), never a code change.
  const bases = (version: string, runtime: string, extra: string[] = []) => [
    '--build-args',
    [
      `BUILDER_IMAGE=${registry}/testbed/golang:1`,
      `RUNTIME_IMAGE=${runtime}`,
      `APP_VERSION=${version}`,
      ...extra,
    ].join('\n'),
  ];
  const clean = (version: string, extra: string[] = []) => bases(version, 'scratch', extra);
  const releases: Release[] = [
    {
      title: 'v1.2.2 — first release, rolling deploy',
      tag: 'v1.2.2',
      expect: 'success',
      flags: [...common, ...clean('1.2.2'), '--strategy', 'rolling'],
    },
    {
      title: 'v1.2.3 — canary at 20 % through the router',
      tag: 'v1.2.3',
      expect: 'success',
      split: true,
      flags: [
        ...common,
        ...clean('1.2.3'),
        '--strategy',
        'canary',
        '--traffic-split',
        'gateway-api',
        '--canary-percentage',
        '20',
      ],
    },
    {
      title: 'v1.2.3 — promote the canary',
      tag: 'v1.2.3',
      expect: 'success',
      flags: [
        '--stages',
        'deploy',
        ...where,
        '--strategy',
        'canary',
        '--traffic-split',
        'gateway-api',
        '--deploy-action',
        'promote',
      ],
    },
    {
      title: 'v1.2.4 — a planted vulnerability: the scan gate stops it',
      tag: 'v1.2.4',
      expect: 'failure',
      flags: [
        ...common,
        ...bases('1.2.4', `${registry}/testbed/vulnerable:1`),
        '--strategy',
        'rolling',
      ],
    },
    {
      title:
        'v1.2.5 — a build that never becomes ready (FAIL_MODE=never-ready): automatic rollback',
      tag: 'v1.2.5',
      expect: 'failure',
      flags: [
        ...common,
        ...clean('1.2.5', ['FAIL_MODE=never-ready']),
        '--strategy',
        'rolling',
        '--rollout-timeout',
        '20s',
      ],
    },
    ...(['1.2.6', '1.2.7'] as const).map((version): Release => ({
      title:
        version === '1.2.6'
          ? 'v1.2.6 — canary steps 10 % → 50 %, judged by Prometheus: promoted automatically'
          : 'v1.2.7 — a build failing 5 % of requests (FAIL_PERCENT=5): rejected by the analysis',
      tag: `v${version}`,
      expect: version === '1.2.6' ? 'success' : 'failure',
      split: true,
      load: true,
      flags: [
        ...common,
        ...clean(version, version === '1.2.7' ? ['FAIL_PERCENT=5'] : []),
        '--strategy',
        'canary',
        '--traffic-split',
        'gateway-api',
        '--canary-steps',
        '10,50',
        '--canary-step-duration',
        '30s',
        '--analysis-interval',
        '15s',
        '--analysis-prometheus-url',
        env.PROMETHEUS_URL ?? 'http://127.0.0.1:19090',
        '--analysis-queries',
        '- name: success-rate\n  min: 99\n',
      ],
    })),
    ...(['deploy', 'promote'] as const).map((action): Release => ({
      title:
        action === 'deploy'
          ? 'v1.2.8 — blue-green (route-method gateway-api): green beside blue, the route switched to it'
          : 'v1.2.8 — promote blue-green: blue rolled to v1.2.8, the route back on it, green removed',
      tag: 'v1.2.8',
      expect: 'success',
      split: true,
      load: true,
      flags: [
        ...(action === 'deploy'
          ? [...common, ...clean('1.2.8')]
          : ['--stages', 'deploy', ...where]),
        '--strategy',
        'blue-green',
        '--route-method',
        'gateway-api',
        '--deploy-action',
        action,
      ],
    })),
  ];

  const verdicts: string[] = [];
  for (const release of releases) {
    banner(release.title);
    const args = [CLI, '--ref', `refs/tags/${release.tag}`, ...release.flags];
    let code: number;
    let during = '';
    if (release.load) {
      const run = await runUnderLoad(args, env);
      code = run.code;
      during = `\n    requests through the router during the release: ${run.load}`;
    } else {
      code = sh(process.execPath, args, env);
    }
    const ok = (code === 0) === (release.expect === 'success');
    const answer = await showService(env, release.split ?? false);
    verdicts.push(
      `${ok ? '✔' : '✘'} ${release.title}: ${code === 0 ? 'succeeded' : 'failed'} (expected ${release.expect})${during}\n    ${answer}`,
    );
    if (!ok) break;
  }

  banner('cluster state');
  sh('kubectl', ['-n', NAMESPACE, 'get', 'deployments,replicasets,pods', '-o', 'wide'], env);
  sh(
    'kubectl',
    [
      '-n',
      NAMESPACE,
      'get',
      'deployment',
      'hello-go',
      '-o',
      'jsonpath={"serving image: "}{.spec.template.spec.containers[0].image}{"\\n"}',
    ],
    env,
  );
  banner('what happened');
  for (const line of verdicts) console.log(line);
  process.exit(
    verdicts.length === releases.length && verdicts.every((v) => v.startsWith('✔')) ? 0 : 1,
  );
}

void main();
