// Build time on test/fixtures/build (Go builder -> busybox runtime), pushed to the testbed
// registry with registry cache: Gantry's build stage (the bundled action, as the runner starts
// it) against a bare `docker buildx build` with the same builder and the same cache flags.
// Cold: a build arg no earlier build used gives the RUN steps fresh cache keys, and the cache
// repository is new. Warm: one line of main.go changed since the last build. The same warm
// rebuild without `--cache-to` shows what exporting the cache costs on a one-line change
// (issue 14: at most 1 s). Budgets: Gantry adds at most 0.5 s, and its warm rebuild is no
// slower than buildx's. Needs the testbed (npm run testbed -- up).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAction } from '../../test/harness/runner';
import { REPO_ROOT, testbedEnv } from '../../test/harness/testbed';
import { registryCacheFlags } from './bare-tools';
import { median, seconds } from './stats';
import { runBench } from './run';

const RUNS = 3;
const BUDGET_MS = 500;
const EXPORT_BUDGET_MS = 1000;

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'build');

async function main(): Promise<number> {
  let env: Record<string, string>;
  try {
    env = testbedEnv();
  } catch (err) {
    console.error(`build bench: ${(err as Error).message}`);
    return 1;
  }
  const dockerEnv = { ...process.env, ...env };
  if (spawnSync('docker', ['buildx', 'inspect', env.BUILDX_BUILDER], { env: dockerEnv }).status) {
    console.error('build bench: the testbed builder is not reachable (npm run testbed -- up)');
    return 1;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-build-'));
  fs.cpSync(FIXTURE, work, { recursive: true });
  const mainGo = path.join(work, 'main.go');
  const original = fs.readFileSync(mainGo, 'utf8');
  let edits = 0;
  const editOneLine = () =>
    fs.writeFileSync(
      mainGo,
      original.replace('hello from gantry', `hello #${++edits} from gantry`),
    );
  const run = `${Date.now().toString(36)}`;

  const gantry = async (repository: string, tag: string, cacheKey: string) => {
    const r = await runAction({
      inputs: {
        stages: 'build',
        tags: `${repository}:${tag}`,
        push: 'true',
        cache: 'registry',
        'build-args': `GREETER_CACHE_EPOCH=${cacheKey}`,
      },
      env,
      cwd: work,
      timeoutMs: 10 * 60_000,
    });
    if (r.exitCode !== 0) throw new Error(`Gantry build failed:\n${r.stdout}\n${r.stderr}`);
    return r.durationMs;
  };
  // What Gantry runs for `cache: registry` on the default branch, minus Gantry; without the
  // export when `exportCache` is false.
  const bare = (repository: string, tag: string, cacheKey: string, exportCache = true) => {
    const cache = registryCacheFlags(repository);
    const started = Date.now();
    const r = spawnSync(
      'docker',
      [
        'buildx',
        'build',
        '--progress=plain',
        '--build-arg',
        `GREETER_CACHE_EPOCH=${cacheKey}`,
        ...cache.from,
        ...(exportCache ? [...cache.to, ...cache.outputs] : []),
        '--iidfile',
        path.join(work, 'iid'),
        '--metadata-file',
        path.join(work, 'metadata.json'),
        '--push',
        '--tag',
        `${repository}:${tag}`,
        '.',
      ],
      { cwd: work, env: dockerEnv, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`docker buildx build failed:\n${r.stderr}`);
    if (process.env.BENCH_BUILD_LOG) fs.appendFileSync(process.env.BENCH_BUILD_LOG, r.stderr);
    return Date.now() - started;
  };

  const times = {
    gantryCold: [] as number[],
    gantryWarm: [] as number[],
    bareCold: [] as number[],
    bareWarm: [] as number[],
    bareWarmNoExport: [] as number[],
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      // Alternate who goes first so drift on the shared machine does not favour either.
      const order = i % 2 === 0 ? ['gantry', 'bare'] : ['bare', 'gantry'];
      for (const who of order) {
        // A cache key and repository no build used before: the RUN steps start cold.
        const cacheKey = `${run}-${who}-${i}`;
        const repository = `${env.REGISTRY}/bench/greeter-${cacheKey}`;
        editOneLine();
        if (who === 'gantry') {
          times.gantryCold.push(await gantry(repository, 'cold', cacheKey));
          editOneLine();
          times.gantryWarm.push(await gantry(repository, 'warm', cacheKey));
        } else {
          times.bareCold.push(bare(repository, 'cold', cacheKey));
          editOneLine();
          times.bareWarm.push(bare(repository, 'warm', cacheKey));
          editOneLine();
          times.bareWarmNoExport.push(bare(repository, 'warm-no-export', cacheKey, false));
        }
      }
    }
  } catch (err) {
    console.error(`build bench: ${(err as Error).message}`);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const cold = { gantry: median(times.gantryCold), bare: median(times.bareCold) };
  const warm = { gantry: median(times.gantryWarm), bare: median(times.bareWarm) };
  const overhead = warm.gantry - warm.bare;
  const exportCost = warm.bare - median(times.bareWarmNoExport);
  console.log(`Medians of ${RUNS} runs each; Gantry times include starting node and the action.\n`);
  console.log('| Build | Gantry | bare `docker buildx build` | Gantry − buildx |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| cold | ${seconds(cold.gantry)} | ${seconds(cold.bare)} | ${seconds(cold.gantry - cold.bare)} |`,
  );
  console.log(
    `| warm, one line changed | ${seconds(warm.gantry)} | ${seconds(warm.bare)} | ${seconds(overhead)} |`,
  );
  console.log(
    `| warm, one line changed, no cache export | – | ${seconds(median(times.bareWarmNoExport))} | – |`,
  );
  console.log(
    `\nCache export on a one-line change: ${seconds(exportCost)} ` +
      `(budget ${seconds(EXPORT_BUDGET_MS)}: ${exportCost <= EXPORT_BUDGET_MS ? 'met' : 'NOT met'}).`,
  );
  console.log(
    `Gantry's overhead on a warm rebuild: ${seconds(overhead)} ` +
      `(budget ${seconds(BUDGET_MS)}: ${overhead <= BUDGET_MS ? 'met' : 'NOT met'}).`,
  );
  return 0;
}

runBench(main);
