// The job users chain today beside Gantry's one step, under a real workflow runner (nektos/act,
// on this machine, offline): docker/metadata-action → docker/build-push-action →
// aquasecurity/trivy-action → Azure/k8s-deploy, their released bundles at the versions the
// README's "Moving over" table names, against `uses: ./` with the same work in one step. Same
// example service, same tags, same gate (CRITICAL), same manifests (on kwok nodes, whose pods are
// ready at once, so the runner and the tools are what is timed), interleaved pairs, two cases:
// warm with the same source (the build is a cache hit) and warm with one line of main.go
// changed. Budget (issue 14): warm, same source, Gantry ≤ 0.3× the chain.
//
// The peers' code is not part of this repository: their repositories are read from git mirrors
// (GANTRY_PEERS, default /work/.mirror, one `<owner>+<name>/repo` each, as the team's fetch tool
// leaves them), and the bench says so and stops when one is missing.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify } from 'yaml';
import {
  makeRepository,
  runWorkflow,
  type StandIn,
  type WorkflowResult,
} from '../../test/harness/act';
import { GitHubApiStub } from '../../test/harness/github-api';
import { REPO_ROOT, testbedEnv } from '../../test/harness/testbed';
import { median, seconds } from './stats';
import { runBench } from './run';

const RUNS = Number(process.env.GANTRY_BENCH_RUNS ?? 3);
const RATIO_BUDGET = 0.3;
/** Each peer's release and the files of it that run (the mirrors may lack the rest's blobs). */
const PEERS = [
  { repo: 'docker/metadata-action', tag: 'v6.2.0', files: ['action.yml', 'dist/index.cjs'] },
  { repo: 'docker/build-push-action', tag: 'v7.3.0', files: ['action.yml', 'dist/index.cjs'] },
  { repo: 'aquasecurity/trivy-action', tag: 'v0.36.0', files: ['action.yaml', 'entrypoint.sh'] },
  { repo: 'Azure/k8s-deploy', tag: 'v7.0.0', files: ['action.yml', 'lib/index.js'] },
] as const;
const CASES = ['warm, same source', 'warm, one line changed'] as const;
/** The release's tags, metadata-action's rules in both workflows. */
const TAG_RULES = `          tags: |
            type=semver,pattern={{version}}
            type=semver,pattern={{major}}.{{minor}}
            type=semver,pattern={{major}}
            type=sha`;
type Case = (typeof CASES)[number];
const peerDir = (repo: string) => `.github/peers/${repo.replace('/', '--')}`;

/** Actions the peers' own steps use, which act cannot fetch: each left out by its input here. */
const STAND_INS: Record<string, StandIn> = {
  'aquasecurity/setup-trivy': {
    description: 'Not run (skip-setup-trivy: true): trivy is on the machine PATH.',
    inputs: ['version', 'cache', 'token'],
    run: 'trivy --version',
  },
  'actions/cache': {
    description: 'Not run (cache: false): the DB is in cache-dir already.',
    inputs: ['path', 'key', 'restore-keys'],
    run: 'true',
  },
};

/** The peers' released files (`git archive <tag>`), with nested `uses:` pointed at stand-ins. */
function exportPeers(mirrors: string, into: string): void {
  for (const { repo, tag, files } of PEERS) {
    const gitDir = path.join(mirrors, repo.replace('/', '+'), 'repo');
    const dest = path.join(into, peerDir(repo));
    fs.mkdirSync(dest, { recursive: true });
    const archive = spawnSync(
      'git',
      ['--git-dir', gitDir, 'archive', '--format=tar', tag, '--', ...files],
      { maxBuffer: 512 * 1024 * 1024 },
    );
    if (archive.status !== 0) throw new Error(`git archive ${repo}@${tag}: ${archive.stderr}`);
    const untar = spawnSync('tar', ['-x', '-C', dest], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar ${repo}: ${untar.stderr}`);
    for (const name of ['action.yml', 'action.yaml']) {
      const file = path.join(dest, name);
      if (!fs.existsSync(file)) continue;
      const action = parseYaml(fs.readFileSync(file, 'utf8'));
      for (const step of action.runs?.steps ?? []) {
        const uses = typeof step.uses === 'string' ? step.uses.replace(/@.*$/, '') : '';
        if (STAND_INS[uses]) step.uses = `./.github/stand-ins/${uses.replace('/', '--')}`;
      }
      fs.writeFileSync(file, stringify(action, { lineWidth: 0 }));
    }
  }
}

function missingPeers(mirrors: string): string[] {
  return PEERS.filter(({ repo, tag }) => {
    const gitDir = path.join(mirrors, repo.replace('/', '+'), 'repo');
    return (
      spawnSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', `${tag}^{commit}`]).status !==
      0
    );
  }).map(({ repo, tag }) => `${repo}@${tag}`);
}

/**
 * act's own timing of the job's steps ("✅  Success - Main ./<action> [1.23s]"): the workflows'
 * steps are all `uses:` ones, so the steps inside a composite action (trivy-action's), which act
 * reports too, are left out rather than counted twice.
 */
function stepTimes(log: string): { step: string; seconds: number }[] {
  const steps =
    /(?:Success|Failure) - ((?:Main|Post) (?:\.\/|actions\/checkout)\S*) \[([\d.]+)(m?s)\]/g;
  return [...log.matchAll(steps)].map((match) => ({
    step: match[1],
    seconds: Number(match[2]) / (match[3] === 'ms' ? 1000 : 1),
  }));
}

async function main(): Promise<number> {
  const env = testbedEnv();
  const mirrors = process.env.GANTRY_PEERS ?? '/work/.mirror';
  const missing = missingPeers(mirrors);
  if (missing.length > 0) {
    console.error(
      `chain bench: not run. It needs git mirrors of the peer actions in ${mirrors} (GANTRY_PEERS): missing ${missing.join(', ')}`,
    );
    return 1;
  }
  const peers = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-peers-'));
  exportPeers(mirrors, peers);

  const id = Date.now().toString(36);
  const kube = (...args: string[]) =>
    spawnSync('kubectl', args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const app = path.join(REPO_ROOT, 'examples', 'hello-go');
  const original = fs.readFileSync(path.join(app, 'main.go'), 'utf8');
  let edits = 0;
  let source = original;
  // The example's Deployment without its real-node placement: kwok pods are ready at once.
  const deployment = parseYaml(fs.readFileSync(path.join(app, 'k8s', 'deployment.yaml'), 'utf8'));
  delete deployment.spec.template.spec.nodeSelector;
  delete deployment.spec.template.spec.tolerations;
  const files = (image: string): Record<string, string> => {
    deployment.spec.template.spec.containers[0].image = `${image}:latest`;
    const out: Record<string, string> = {
      'main.go': source,
      'k8s/deployment.yaml': stringify(deployment),
    };
    for (const name of ['Dockerfile', '.dockerignore', 'go.mod', 'main_test.go']) {
      out[name] = fs.readFileSync(path.join(app, name), 'utf8');
    }
    for (const name of ['configmap.yaml', 'secret.yaml', 'service.yaml']) {
      out[`k8s/${name}`] = fs.readFileSync(path.join(app, 'k8s', name), 'utf8');
    }
    return out;
  };
  const buildArgs = `BUILDER_IMAGE=${env.REGISTRY}/testbed/golang:1\nRUNTIME_IMAGE=scratch\nAPP_VERSION=1.2.3`;
  const trivyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-chain-trivy-'));
  const machine = {
    PATH: `${path.dirname(env.TRIVY)}:${env.PATH}`,
    DOCKER_HOST: env.DOCKER_HOST,
    KUBECONFIG: env.KUBECONFIG,
    BUILDX_BUILDER: env.BUILDX_BUILDER,
    TRIVY_DB_REPOSITORY: env.TRIVY_DB_REPOSITORY,
  };

  // One job, ship, on a push: a checkout, then the steps given.
  const shipJob = (name: string, steps: string) => `
name: ${name}
on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
${steps}`;
  const chainWorkflow = (image: string, namespace: string) =>
    shipJob(
      'chain',
      `      - id: meta
        uses: ./${peerDir('docker/metadata-action')}
        with:
          images: ${image}
${TAG_RULES}
      - id: build
        uses: ./${peerDir('docker/build-push-action')}
        env:
          DOCKER_BUILD_SUMMARY: 'false'
          DOCKER_BUILD_RECORD_UPLOAD: 'false'
        with:
          context: .
          push: true
          tags: \${{ steps.meta.outputs.tags }}
          labels: \${{ steps.meta.outputs.labels }}
          build-args: |
${buildArgs.replace(/^/gm, '            ')}
      - uses: ./${peerDir('aquasecurity/trivy-action')}
        with:
          image-ref: ${image}@\${{ steps.build.outputs.digest }}
          severity: CRITICAL
          exit-code: '1'
          skip-setup-trivy: true
          cache: false
          cache-dir: ${trivyCache}
      - uses: ./${peerDir('Azure/k8s-deploy')}
        with:
          namespace: ${namespace}
          manifests: k8s
          images: ${image}@\${{ steps.build.outputs.digest }}
`,
    );
  const gantryWorkflow = (image: string, namespace: string) =>
    shipJob(
      'gantry',
      `      - id: build
        uses: ./
        with:
          images: ${image}
${TAG_RULES}
          context: .
          build-args: |
${buildArgs.replace(/^/gm, '            ')}
          push: true
          fail-on: CRITICAL
          trivy-db-repository: ${env.TRIVY_DB_REPOSITORY}
          cache-dir: ${trivyCache}
          manifests: k8s
          namespace: ${namespace}
`,
    );

  const api = await GitHubApiStub.start();
  // k8s-deploy names the workflow file in its annotations (its failure only warns).
  api.route('GET', '/repos/:owner/:repo/actions/workflows', () => ({
    body: { total_count: 1, workflows: [{ name: 'chain', path: '.github/workflows/e2e.yml' }] },
  }));
  const namespaces: string[] = [];
  // Same source built again: a new image digest means a real rollout on that side too.
  const newDigests = { chain: 0, gantry: 0 };
  const results: Record<'chain' | 'gantry', Record<Case, { wall: number; steps: number }[]>> = {
    chain: { 'warm, same source': [], 'warm, one line changed': [] },
    gantry: { 'warm, same source': [], 'warm, one line changed': [] },
  };
  const run = async (who: 'chain' | 'gantry', image: string, namespace: string) => {
    const workspace = makeRepository(`bench-${who}`, files(image));
    if (who === 'chain')
      fs.cpSync(path.join(peers, '.github'), path.join(workspace, '.github'), {
        recursive: true,
      });
    const workflow =
      who === 'chain' ? chainWorkflow(image, namespace) : gantryWorkflow(image, namespace);
    const started = Date.now();
    const result: WorkflowResult = await runWorkflow({
      workspace,
      workflow,
      standIns: who === 'chain' ? STAND_INS : {},
      event: 'push',
      payload: { ref: 'refs/tags/v1.2.3', repository: { default_branch: 'main' } },
      api,
      machineEnv: machine,
      timeoutMs: 15 * 60_000,
    });
    const wall = Date.now() - started;
    fs.rmSync(workspace, { recursive: true, force: true });
    if (result.exitCode !== 0 || result.jobs.ship?.status !== 'success') {
      throw new Error(
        `${who}: the job failed (exit ${result.exitCode}):\n${result.log.slice(-6000)}`,
      );
    }
    const times = stepTimes(result.log);
    // Each run's steps (so a reader sees every action did its work) and, for Gantry, its own
    // stage lines and rollout wait from its log inside act's.
    const stages = [
      ...result.log.matchAll(/\| ((?:meta|build|scan|deploy): [\d.]+ s|kubectl: .*rollouts)$/gm),
    ].map((match) => match[1]);
    console.error(
      `${who}: ${times.map((t) => `${t.step.slice(0, 60)} ${t.seconds.toFixed(2)} s`).join(' | ')}${stages.length > 0 ? ` (${stages.join(', ')})` : ''}`,
    );
    return {
      wall,
      steps: times.reduce((sum, t) => sum + t.seconds, 0),
      digest: result.jobs.ship.steps.build?.outputs.digest ?? '',
    };
  };

  try {
    for (let i = 0; i < RUNS; i++) {
      for (const who of i % 2 === 0
        ? (['gantry', 'chain'] as const)
        : (['chain', 'gantry'] as const)) {
        const image = `${env.REGISTRY}/bench/chain-${id}-${who}-${i}`;
        const namespace = `gantry-bench-chain-${id}-${who}-${i}`;
        namespaces.push(namespace);
        kube('create', 'namespace', namespace);
        source = original.replace(
          'envOr("GREETING", "hello")',
          `envOr("GREETING", "hello ${id} ${who} ${i}")`,
        );
        // Untimed: the first build of this source and image.
        const first = await run(who, image, namespace);
        const warm = await run(who, image, namespace);
        results[who]['warm, same source'].push(warm);
        if (!warm.digest) throw new Error(`${who}: no digest output`);
        if (warm.digest !== first.digest) newDigests[who]++;
        source = original.replace(
          'envOr("GREETING", "hello")',
          `envOr("GREETING", "hello ${id} #${++edits}")`,
        );
        results[who]['warm, one line changed'].push(await run(who, image, namespace));
      }
    }
  } catch (err) {
    console.error(`chain bench: ${(err as Error).message}`);
    return 1;
  } finally {
    await api.stop();
    if (namespaces.length > 0) kube('delete', 'namespace', ...namespaces, '--wait=false');
    fs.rmSync(peers, { recursive: true, force: true });
    fs.rmSync(trivyCache, { recursive: true, force: true });
  }

  const load = os.loadavg()[0].toFixed(1);
  console.log(
    `Medians of ${RUNS} interleaved runs under nektos/act; the chain is ${PEERS.map((p) => `${p.repo}@${p.tag}`).join(' → ')}; pods on kwok nodes (1-minute load average ${load} on ${os.cpus().length} CPUs). "Steps" sums act's own timing of the job's steps; "job" is act's whole run.\n`,
  );
  console.log('| case | chain: job | Gantry: job | ratio | chain: steps | Gantry: steps | ratio |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const med = (who: 'chain' | 'gantry', step: Case, pick: 'wall' | 'steps') =>
    median(results[who][step].map((r) => (pick === 'wall' ? r.wall : r.steps * 1000)));
  for (const step of CASES) {
    const [cw, gw, cs, gs] = [
      med('chain', step, 'wall'),
      med('gantry', step, 'wall'),
      med('chain', step, 'steps'),
      med('gantry', step, 'steps'),
    ];
    console.log(
      `| ${step} | ${seconds(cw)} | ${seconds(gw)} | ${(gw / cw).toFixed(2)} | ${seconds(cs)} | ${seconds(gs)} | ${(gs / cs).toFixed(2)} |`,
    );
  }
  console.log(
    `\nSame source built again gave a new image digest (so its deploy rolled pods) in ${newDigests.chain} of ${RUNS} chain runs and ${newDigests.gantry} of ${RUNS} Gantry runs.`,
  );
  const ratio =
    med('gantry', 'warm, same source', 'steps') / med('chain', 'warm, same source', 'steps');
  console.log(
    `\nWarm, same source: Gantry's steps take ${ratio.toFixed(2)}× the chain's (budget ${RATIO_BUDGET}×: ${ratio <= RATIO_BUDGET ? 'met' : 'NOT met'}).`,
  );
  return 0;
}

runBench(main);
