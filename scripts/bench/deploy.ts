// Canary deploy + promote of a 10-replica Deployment on the testbed's Kubernetes, through the
// bundled action as the runner starts it. Reports Gantry's own time (the step's wall time minus
// the time spent waiting for rollouts, which belongs to the cluster) and how many times kubectl
// ran. Budget: Gantry's time for deploy + promote at most 2 s. Needs the testbed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAction, type ActionResult } from '../../test/harness/runner';
import { testbedEnv } from '../../test/harness/testbed';
import { median, seconds } from './stats';

const RUNS = 3;
const BUDGET_MS = 2000;
const REPLICAS = 10;
const REPOSITORY = '127.0.0.1:5000/acme/bench';

interface Step {
  wallMs: number;
  /** The stage's own duration (from the job summary): the wall time minus node's start and exit. */
  stageMs: number;
  waitMs: number;
  kubectl: number;
}

/** The deploy stage's closing line: `kubectl: N invocation(s), X s waiting for rollouts`. */
function measure(result: ActionResult, what: string, rollout: string): Step {
  if (result.exitCode !== 0 || result.outputs.rollout !== rollout) {
    throw new Error(
      `${what} failed (rollout=${result.outputs.rollout}):\n${result.stdout.slice(-3000)}`,
    );
  }
  const match = /kubectl: (\d+) invocation\(s\), ([\d.]+) s waiting for rollouts/.exec(
    result.stdout,
  );
  if (!match) throw new Error(`${what}: the kubectl count line is missing from the log`);
  const stage = /\*\*Duration:\*\* ([\d.]+) s/.exec(result.summary);
  if (!stage) throw new Error(`${what}: the job summary has no duration`);
  return {
    wallMs: result.durationMs,
    stageMs: Number(stage[1]) * 1000,
    waitMs: Number(match[2]) * 1000,
    kubectl: Number(match[1]),
  };
}

async function main(): Promise<number> {
  let env: Record<string, string>;
  try {
    env = testbedEnv();
  } catch (err) {
    console.error(`deploy bench: ${(err as Error).message}`);
    return 1;
  }
  const kubectl = (args: string[]) =>
    spawnSync('kubectl', args, {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const probe = kubectl(['get', '--raw', '/readyz']);
  if (probe.status !== 0) {
    console.error(
      `deploy bench: the testbed's Kubernetes API server does not answer (npm run testbed -- up):\n${probe.stderr}`,
    );
    return 1;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-deploy-'));
  fs.mkdirSync(path.join(work, 'k8s'));
  fs.writeFileSync(
    path.join(work, 'k8s', 'app.yaml'),
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'bench' } },
        template: {
          metadata: { labels: { app: 'bench' } },
          spec: { containers: [{ name: 'app', image: `${REPOSITORY}:latest` }] },
        },
      },
    }) +
      '\n---\n' +
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bench' },
        spec: { selector: { app: 'bench' }, ports: [{ port: 80 }] },
      }),
  );

  const deploy: Step[] = [];
  const promote: Step[] = [];
  const namespaces: string[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const namespace = `gantry-bench-deploy-${process.pid}-${run}`;
      namespaces.push(namespace);
      kubectl(['create', 'namespace', namespace]);
      const step = (inputs: Record<string, string>) =>
        runAction({
          inputs: {
            stages: 'deploy',
            manifests: 'k8s',
            namespace,
            strategy: 'canary',
            'rollout-timeout': '2m',
            ...inputs,
          },
          env,
          cwd: work,
        });
      const image = (fill: string) => `${REPOSITORY}@sha256:${fill.repeat(64)}`;
      // The stable version (not measured), then the measured canary deploy and promote.
      measure(await step({ 'deploy-images': image('a') }), 'stable deploy', 'succeeded');
      deploy.push(
        measure(await step({ 'deploy-images': image('b') }), 'canary deploy', 'canary-ready'),
      );
      promote.push(measure(await step({ 'deploy-action': 'promote' }), 'promote', 'promoted'));
    }
  } finally {
    if (namespaces.length > 0) kubectl(['delete', 'namespace', ...namespaces, '--wait=false']);
    fs.rmSync(work, { recursive: true, force: true });
  }

  const own = (steps: Step[]) => median(steps.map((s) => s.wallMs - s.waitMs));
  const inStage = (steps: Step[]) => median(steps.map((s) => s.stageMs - s.waitMs));
  const row = (name: string, steps: Step[]) => [
    name,
    seconds(median(steps.map((s) => s.wallMs))),
    seconds(median(steps.map((s) => s.waitMs))),
    seconds(own(steps)),
    seconds(inStage(steps)),
    String(median(steps.map((s) => s.kubectl))),
  ];
  const both: Step[] = deploy.map((d, i) => ({
    wallMs: d.wallMs + promote[i].wallMs,
    stageMs: d.stageMs + promote[i].stageMs,
    waitMs: d.waitMs + promote[i].waitMs,
    kubectl: d.kubectl + promote[i].kubectl,
  }));
  const total = own(both);
  const rows = [
    row('canary deploy (10 stable replicas, 20%)', deploy),
    row('promote (10 replicas rolled to the canary image)', promote),
    row('deploy + promote', both),
  ];
  // What one kubectl call costs on this machine right now, to read the Gantry time against.
  const kubectlStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    kubectl(['get', 'namespace', 'default', '--output', 'name']);
    kubectlStarts.push(Date.now() - started);
  }
  const load = os.loadavg()[0].toFixed(1);
  console.log(
    `Medians of ${RUNS} runs, each in a fresh namespace; each step is \`node dist/index.js\` as the runner starts it (1-minute load average ${load} on ${os.cpus().length} CPUs).\n`,
  );
  console.log(
    '| step | wall time | waiting for rollouts | Gantry time (wall − waits) | of it inside the stage | kubectl invocations |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const cells of rows) console.log(`| ${cells.join(' | ')} |`);
  console.log(
    `\nOne bare \`kubectl get\` takes ${seconds(median(kubectlStarts))} here now (median of 5).`,
  );
  console.log(
    `Budget: Gantry time for deploy + promote ≤ ${seconds(BUDGET_MS)}: ${total <= BUDGET_MS ? 'met' : 'MISSED'} (${seconds(total)}).`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`deploy bench: ${(err as Error).message}`);
    process.exit(1);
  },
);
