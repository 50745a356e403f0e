// `npm run demo`: the main job, end to end, on the example service against the local testbed.
// Four releases through the same `gantry` CLI a team would run in CI:
//   v1.2.2  first release, rolling deploy                 -> serving
//   v1.2.3  canary at 20 %, then promote                  -> serving
//   v1.2.4  a planted vulnerability: the scan gate stops it before deploy
//   v1.2.5  pods never become ready: rolled back automatically, v1.2.3 keeps serving
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const APP = path.join(ROOT, 'examples', 'hello-go');
const NAMESPACE = 'gantry-demo';
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');

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

/** The example's manifests with every pod template marked so the testbed holds pods unready. */
function neverReadyManifests(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-demo-broken-'));
  for (const file of fs.readdirSync(path.join(APP, 'k8s'))) {
    const docs = fs
      .readFileSync(path.join(APP, 'k8s', file), 'utf8')
      .split(/^---$/m)
      .map((text) => parseYaml(text) as Record<string, any> | null) // eslint-disable-line @typescript-eslint/no-explicit-any
      .filter((doc) => doc);
    for (const doc of docs) {
      const labels = doc?.spec?.template?.metadata?.labels;
      if (labels) labels['testbed.gantry.dev/never-ready'] = 'true';
    }
    fs.writeFileSync(path.join(dir, file), docs.map((d) => stringify(d)).join('---\n'));
  }
  return dir;
}

interface Release {
  title: string;
  tag: string;
  expect: 'success' | 'failure';
  flags: string[];
}

function main(): void {
  banner('testbed: Docker engine, registry, BuildKit, Trivy, Kubernetes (kwok nodes)');
  if (sh('bash', ['scripts/testbed/testbed.sh', 'up']) !== 0) process.exit(1);
  const env = { ...process.env, ...readEnvFile(path.join(ROOT, '.testbed', 'env')) };
  const registry = env.REGISTRY ?? '127.0.0.1:5000';
  sh(
    'kubectl',
    ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=120s'],
    env,
  );
  sh('kubectl', ['create', 'namespace', NAMESPACE], env);

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
    '--manifests',
    path.join(APP, 'k8s'),
    '--namespace',
    NAMESPACE,
    '--rollout-timeout',
    '60s',
    '--repository',
    'acme/hello-go',
  ];
  const bases = (runtime: string) => [
    '--build-args',
    `BUILDER_IMAGE=${registry}/testbed/golang:1\nRUNTIME_IMAGE=${runtime}`,
  ];
  const clean = bases(`${registry}/testbed/busybox:1`);
  const releases: Release[] = [
    {
      title: 'v1.2.2 — first release, rolling deploy',
      tag: 'v1.2.2',
      expect: 'success',
      flags: [...common, ...clean, '--strategy', 'rolling'],
    },
    {
      title: 'v1.2.3 — canary at 20 %',
      tag: 'v1.2.3',
      expect: 'success',
      flags: [...common, ...clean, '--strategy', 'canary', '--canary-percentage', '20'],
    },
    {
      title: 'v1.2.3 — promote the canary',
      tag: 'v1.2.3',
      expect: 'success',
      flags: [
        '--stages',
        'deploy',
        '--manifests',
        path.join(APP, 'k8s'),
        '--namespace',
        NAMESPACE,
        '--strategy',
        'canary',
        '--deploy-action',
        'promote',
        '--rollout-timeout',
        '60s',
        '--repository',
        'acme/hello-go',
      ],
    },
    {
      title: 'v1.2.4 — a planted vulnerability: the scan gate stops it',
      tag: 'v1.2.4',
      expect: 'failure',
      flags: [...common, ...bases(`${registry}/testbed/vulnerable:1`), '--strategy', 'rolling'],
    },
    {
      title: 'v1.2.5 — pods never become ready: automatic rollback',
      tag: 'v1.2.5',
      expect: 'failure',
      flags: [
        ...common.map((f) => (f === path.join(APP, 'k8s') ? neverReadyManifests() : f)),
        ...clean,
        '--strategy',
        'rolling',
        '--rollout-timeout',
        '20s',
      ],
    },
  ];

  const verdicts: string[] = [];
  for (const release of releases) {
    banner(release.title);
    const code = sh(
      process.execPath,
      [CLI, '--ref', `refs/tags/${release.tag}`, ...release.flags],
      env,
    );
    const ok = (code === 0) === (release.expect === 'success');
    verdicts.push(
      `${ok ? '✔' : '✘'} ${release.title}: ${code === 0 ? 'succeeded' : 'failed'} (expected ${release.expect})`,
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

main();
