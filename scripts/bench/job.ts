// The main job, end to end: the example service (examples/hello-go) through meta, build, scan
// and deploy on the testbed (its real node), as one Gantry step (the bundled action, as the
// runner starts it) and as the bare tools doing the same work: `docker buildx build --push`
// with the cache flags Gantry plans, `trivy image` by digest, `kubectl apply` + `rollout
// status` of the manifests pinned to that digest. Three cases, each in a fresh image
// repository and namespace: cold (empty builder cache, empty registry cache, first deploy),
// warm with the same source (the build is a cache hit), warm with one line of main.go changed
// (the Go compile reruns). Budgets (issue 14): with one line changed, the job outside the
// compile ≤ 3.5 s (set on kwok nodes, whose pods are ready at once: here the real node's
// rollout wait is left out too, and shown) and the cache export ≤ 1 s. Needs the testbed
// (npm run testbed -- up).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAction, type ActionResult } from '../../test/harness/runner';
import { REPO_ROOT, testbedEnv } from '../../test/harness/testbed';
import { bareTrivyArgs, registryCacheFlags } from './bare-tools';
import { median, seconds } from './stats';
import { runBench } from './run';

const RUNS = 3;
const OUTSIDE_COMPILE_BUDGET_MS = 3500;
const EXPORT_BUDGET_MS = 1000;
const APP = path.join(REPO_ROOT, 'examples', 'hello-go');
const CASES = ['cold', 'warm, same source', 'warm, one line changed'] as const;
type Case = (typeof CASES)[number];
const STAGES = ['meta', 'build', 'scan', 'deploy'] as const;
type StageTimes = Record<(typeof STAGES)[number], number>;

interface Run {
  wallMs: number;
  stages: StageTimes;
  /** The Go compile (`RUN go build`) and the cache export, as BuildKit timed them. */
  compileMs: number;
  exportMs: number;
  /**
   * Gantry's cache export after the image runs beside scan and deploy: what the step waited
   * for it after the last stage (0 for the bare build, whose export is inside the build).
   */
  exportWaitMs: number;
  /** Waiting for the cluster to roll the pods out (`rollout status`): the cluster's time. */
  rolloutWaitMs: number;
  kubectl?: number;
}

/** BuildKit's plain progress: the DONE time of the vertex whose name matches. */
function vertexMs(log: string, name: RegExp): number {
  let total = 0;
  for (const match of log.matchAll(/^#(\d+) (.*)$/gm)) {
    if (!name.test(match[2])) continue;
    const done = new RegExp(`^#${match[1]} DONE ([\\d.]+)s$`, 'm').exec(log);
    if (done) total = Math.max(total, Number(done[1]) * 1000);
  }
  return total;
}

const COMPILE = /RUN go build/;
const EXPORT = /^exporting cache to registry$/;

function gantryRun(result: ActionResult, what: string): Run {
  if (result.exitCode !== 0) {
    throw new Error(
      `${what}: Gantry failed: ${result.errors.join('; ')}\n${result.stdout.slice(-4000)}`,
    );
  }
  const stages = {} as StageTimes;
  for (const stage of STAGES) {
    const match = new RegExp(`^${stage}: ([\\d.]+) s$`, 'm').exec(result.stdout);
    if (!match) throw new Error(`${what}: no "${stage}: … s" line in Gantry's log`);
    stages[stage] = Number(match[1]) * 1000;
  }
  const calls = /kubectl: (\d+) invocation\(s\), ([\d.]+) s waiting for rollouts/.exec(
    result.stdout,
  );
  // With the export after the image, its time is in the background line, not BuildKit's log.
  const later =
    /^build: cache exported after the image[^:]*: ([\d.]+) s .*; waited ([\d.]+) s/m.exec(
      result.stdout,
    );
  return {
    wallMs: result.durationMs,
    stages,
    compileMs: vertexMs(result.stdout, COMPILE),
    exportMs: later ? Number(later[1]) * 1000 : vertexMs(result.stdout, EXPORT),
    exportWaitMs: later ? Number(later[2]) * 1000 : 0,
    rolloutWaitMs: calls ? Number(calls[2]) * 1000 : 0,
    kubectl: calls ? Number(calls[1]) : undefined,
  };
}

async function main(): Promise<number> {
  let env: Record<string, string>;
  try {
    env = testbedEnv();
  } catch (err) {
    console.error(`job bench: ${(err as Error).message}`);
    return 1;
  }
  const toolEnv = { ...process.env, ...env };
  const tool = (command: string, args: string[], cwd?: string) => {
    const started = Date.now();
    const r = spawnSync(command, args, { env: toolEnv, cwd, encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) {
      throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed:\n${r.stderr.slice(-3000)}`);
    }
    return { ms: Date.now() - started, stderr: r.stderr, stdout: r.stdout };
  };
  for (const [command, args] of [
    ['docker', ['buildx', 'inspect', env.BUILDX_BUILDER]],
    ['kubectl', ['get', 'node', env.REALNODE]],
  ] as const) {
    if (spawnSync(command, [...args], { env: toolEnv }).status !== 0) {
      console.error(`job bench: \`${command} ${args.join(' ')}\` fails (npm run testbed -- up)`);
      return 1;
    }
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-job-'));
  const app = path.join(work, 'app');
  fs.cpSync(APP, app, { recursive: true });
  const mainGo = path.join(app, 'main.go');
  const original = fs.readFileSync(mainGo, 'utf8');
  let edits = 0;
  // One line of main.go: a new binary, so the compile (and only what follows it) reruns.
  const editOneLine = () =>
    fs.writeFileSync(
      mainGo,
      original.replace('envOr("GREETING", "hello")', `envOr("GREETING", "hello #${++edits}")`),
    );
  const deployment = fs.readFileSync(path.join(APP, 'k8s', 'deployment.yaml'), 'utf8');
  const manifestsFor = (image: string) =>
    fs.writeFileSync(
      path.join(app, 'k8s', 'deployment.yaml'),
      deployment.replace(/image: \S+/, `image: ${image}`),
    );
  const cacheDir = path.join(work, 'trivy-cache');
  const ignoreFile = path.join(work, 'trivyignore');
  fs.writeFileSync(ignoreFile, '');
  const buildArgs = [
    `BUILDER_IMAGE=${env.REGISTRY}/testbed/golang:1`,
    'RUNTIME_IMAGE=scratch',
    'APP_VERSION=1.2.3',
  ];
  const pruneBuilder = () =>
    tool('docker', ['buildx', 'prune', '--all', '--force', '--builder', env.BUILDX_BUILDER]);

  const gantry = async (repository: string, namespace: string, what: string) =>
    gantryRun(
      await runAction({
        inputs: {
          stages: 'meta,build,scan,deploy',
          images: repository,
          tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=semver,pattern={{major}}\ntype=sha',
          context: '.',
          'build-args': buildArgs.join('\n'),
          push: 'true',
          'fail-on': 'CRITICAL',
          'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
          'cache-dir': cacheDir,
          manifests: 'k8s',
          namespace,
          'rollout-timeout': '120s',
        },
        event: 'push-tag',
        env: { ...env, TRIVY_DB_REPOSITORY: undefined },
        cwd: app,
        timeoutMs: 15 * 60_000,
      }),
      what,
    );

  const bare = (repository: string, namespace: string): Run => {
    const started = Date.now();
    const cache = registryCacheFlags(repository);
    const metadataFile = path.join(work, 'metadata.json');
    const tags = ['1.2.3', '1.2', '1'].flatMap((tag) => ['--tag', `${repository}:${tag}`]);
    const build = tool(
      'docker',
      [
        'buildx',
        'build',
        '--progress=plain',
        ...buildArgs.flatMap((arg) => ['--build-arg', arg]),
        ...cache.from,
        ...cache.to,
        ...cache.outputs,
        '--metadata-file',
        metadataFile,
        '--push',
        ...tags,
        '.',
      ],
      app,
    );
    const digest = JSON.parse(fs.readFileSync(metadataFile, 'utf8'))['containerimage.digest'];
    const image = `${repository}@${digest}`;
    const scan = tool(
      env.TRIVY,
      bareTrivyArgs({ image, cacheDir, ignoreFile, output: path.join(work, 'trivy.json') }),
      work,
    );
    // Pinning is the bench's own text edit (k8s-deploy's job in the chain), not timed.
    manifestsFor(image);
    const deployStarted = Date.now();
    tool('kubectl', ['apply', '--namespace', namespace, '--filename', path.join(app, 'k8s')]);
    const rollout = tool('kubectl', [
      'rollout',
      'status',
      '--namespace',
      namespace,
      'deployment/hello-go',
      '--timeout=120s',
    ]);
    const deployMs = Date.now() - deployStarted;
    return {
      wallMs: Date.now() - started,
      stages: { meta: 0, build: build.ms, scan: scan.ms, deploy: deployMs },
      compileMs: vertexMs(build.stderr, COMPILE),
      exportMs: vertexMs(build.stderr, EXPORT),
      exportWaitMs: 0,
      rolloutWaitMs: rollout.ms,
    };
  };

  const results: Record<'gantry' | 'bare', Record<Case, Run[]>> = {
    gantry: { cold: [], 'warm, same source': [], 'warm, one line changed': [] },
    bare: { cold: [], 'warm, same source': [], 'warm, one line changed': [] },
  };
  const namespaces: string[] = [];
  const id = Date.now().toString(36);
  try {
    // Untimed: the vulnerability DB into the scan cache both sides share.
    const warmup = `gantry-bench-job-${id}-warmup`;
    namespaces.push(warmup);
    tool('kubectl', ['create', 'namespace', warmup]);
    manifestsFor(`${env.REGISTRY}/bench/job-${id}-warmup:latest`);
    await gantry(`${env.REGISTRY}/bench/job-${id}-warmup`, warmup, 'warm-up');

    for (let i = 0; i < RUNS; i++) {
      // Alternate who goes first so drift on the shared machine does not favour either side.
      for (const who of i % 2 === 0
        ? (['gantry', 'bare'] as const)
        : (['bare', 'gantry'] as const)) {
        const repository = `${env.REGISTRY}/bench/job-${id}-${who}-${i}`;
        const namespace = `gantry-bench-job-${id}-${who}-${i}`;
        namespaces.push(namespace);
        tool('kubectl', ['create', 'namespace', namespace]);
        manifestsFor(`${repository}:latest`);
        for (const step of CASES) {
          if (step === 'cold') {
            editOneLine(); // a binary no earlier build made: nothing in any cache has it
            pruneBuilder();
          }
          if (step === 'warm, one line changed') editOneLine();
          const run =
            who === 'gantry'
              ? await gantry(repository, namespace, `${who} ${step} #${i}`)
              : bare(repository, namespace);
          results[who][step].push(run);
        }
      }
    }
  } catch (err) {
    console.error(`job bench: ${(err as Error).message}`);
    return 1;
  } finally {
    if (namespaces.length > 0) {
      spawnSync('kubectl', ['delete', 'namespace', ...namespaces, '--wait=false'], {
        env: toolEnv,
      });
    }
    fs.rmSync(work, { recursive: true, force: true });
  }

  const med = (runs: Run[], pick: (run: Run) => number) => median(runs.map(pick));
  const load = os.loadavg()[0].toFixed(1);
  console.log(
    `Medians of ${RUNS} runs per case, interleaved; Gantry is \`node dist/index.js\` as the runner starts it, the bare tools are run one after another by this script (1-minute load average ${load} on ${os.cpus().length} CPUs).\n`,
  );
  console.log(
    '| case | bare tools | Gantry | Gantry ÷ bare | build: Gantry − buildx | scan: Gantry − trivy | deploy: Gantry − kubectl | node start, meta, exit | compile | cache export (Gantry / bare) | kubectl calls |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const outside: Record<Case, number> = {} as Record<Case, number>;
  for (const step of CASES) {
    const g = results.gantry[step];
    const b = results.bare[step];
    const gWall = med(g, (r) => r.wallMs);
    const bWall = med(b, (r) => r.wallMs);
    const diff = (stage: 'build' | 'scan' | 'deploy') =>
      seconds(med(g, (r) => r.stages[stage]) - med(b, (r) => r.stages[stage]));
    const rest = med(g, (r) => r.wallMs - r.stages.build - r.stages.scan - r.stages.deploy);
    outside[step] = med(g, (r) => r.wallMs - r.compileMs);
    console.log(
      `| ${step} | ${seconds(bWall)} | ${seconds(gWall)} | ${(gWall / bWall).toFixed(2)} | ${diff('build')} | ${diff('scan')} | ${diff('deploy')} | ${seconds(rest)} | ${seconds(med(g, (r) => r.compileMs))} | ${seconds(med(g, (r) => r.exportMs))} / ${seconds(med(b, (r) => r.exportMs))} | ${med(g, (r) => r.kubectl ?? 0)} |`,
    );
  }
  console.log(
    '\nEach stage on its own (medians), Gantry / bare tools; the rollout wait is the cluster starting pods on the real node, the same work on both sides:\n',
  );
  console.log(
    '| case | build | scan | deploy | of which rollout wait | job outside compile and rollout wait |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  const beside = (step: Case, pick: (run: Run) => number) =>
    `${seconds(med(results.gantry[step], pick))} / ${seconds(med(results.bare[step], pick))}`;
  for (const step of CASES) {
    console.log(
      `| ${step} | ${beside(step, (r) => r.stages.build)} | ${beside(step, (r) => r.stages.scan)} | ${beside(step, (r) => r.stages.deploy)} | ${beside(step, (r) => r.rolloutWaitMs)} | ${beside(step, (r) => r.wallMs - r.compileMs - r.rolloutWaitMs)} |`,
    );
  }
  const change = results.gantry['warm, one line changed'];
  const exportMs = med(change, (r) => r.exportMs);
  // What the export adds to the job were pods ready at once (kwok): the part of it that scan
  // and deploy without the rollout wait do not cover, or what the step waited for it at the end.
  const exportAdds = med(change, (r) =>
    r.exportWaitMs > 0 || r.exportMs === 0
      ? r.exportWaitMs
      : Math.max(0, r.exportMs - (r.stages.scan + r.stages.deploy - r.rolloutWaitMs)),
  );
  const outsideAndWait = med(
    change,
    (r) => r.wallMs - r.compileMs - r.rolloutWaitMs - r.exportWaitMs,
  );
  const outsideKwok = outsideAndWait + exportAdds;
  console.log(
    `\nOne line changed: the job outside the compile took ${seconds(outside['warm, one line changed'])}, ` +
      `of which the real node's rollout wait is the cluster's; outside the compile and that wait, with the export's share ` +
      `as it would be were pods ready at once, ${seconds(outsideKwok)} ` +
      `(budget ${seconds(OUTSIDE_COMPILE_BUDGET_MS)}, set on kwok nodes whose pods are ready at once: ${outsideKwok <= OUTSIDE_COMPILE_BUDGET_MS ? 'met' : 'NOT met'}); ` +
      `the cache export ran ${seconds(exportMs)} beside scan and deploy and adds ${seconds(exportAdds)} to the job ` +
      `(budget ${seconds(EXPORT_BUDGET_MS)}: ${exportAdds <= EXPORT_BUDGET_MS ? 'met' : 'NOT met'}).`,
  );
  return 0;
}

runBench(main);
