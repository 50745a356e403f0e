// The meta stage's cold start: `node dist/index.js` as the runner starts it (a new process per
// run) for a tag push, with the local GitHub API stand-in answering the repository request; and
// the size of what the action ships: dist/main/index.js, which every run compiles, plus the
// split bundles (dist/split/) that only some runs load. Budget: 150 ms median, all of it under
// 2.5 MB. The budget's runs compile the bundle as on a GitHub-hosted runner (no code cache kept,
// GANTRY_COMPILE_CACHE=off); the runs with the cache a self-hosted runner keeps are shown beside.
// The wall clock depends on how busy the machine is, so the CPU time (user + system, Node's
// start-up included) of as many runs again is reported beside it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { GitHubApiStub } from '../../test/harness/github-api';
import { DIST_ENTRY, runAction } from '../../test/harness/runner';
import { median } from './stats';

const RUNS = 15;
const BUDGET_MS = 150;
const BUNDLE_BUDGET = 2.5 * 1024 * 1024;

const INPUTS = {
  stages: 'meta',
  images: 'ghcr.io/acme/app',
  tags: [
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}}',
    'type=ref,event=branch',
    'type=sha',
  ].join('\n'),
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? 'within budget' : 'OVER budget');

async function main(): Promise<void> {
  if (!fs.existsSync(DIST_ENTRY)) {
    console.log(`meta bench: ${DIST_ENTRY} is missing; run npm run build first`);
    return;
  }
  // Reports the process's CPU time on exit, then runs the bundle exactly as `node dist/index.js`.
  const wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-meta-')), 'cpu.js');
  fs.writeFileSync(
    wrapper,
    `process.on('exit', () => { const u = process.cpuUsage(); ` +
      `process.stderr.write('\\ncpu-ms ' + (u.user + u.system) / 1000 + '\\n'); });\n` +
      `require(${JSON.stringify(DIST_ENTRY)});\n`,
  );
  const api = await GitHubApiStub.start();
  const runs: number[] = [];
  const cached: number[] = [];
  const cpu: number[] = [];
  const hosted = { GANTRY_COMPILE_CACHE: 'off' };
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-meta-cache-'));
  try {
    for (let i = 0; i < RUNS; i++) {
      const plain = await runAction({ inputs: INPUTS, event: 'push-tag', api, env: hosted });
      const measured = await runAction({
        inputs: INPUTS,
        event: 'push-tag',
        api,
        entry: wrapper,
        env: hosted,
      });
      // The first writes the cache (it is not counted), the others read it.
      const kept = await runAction({
        inputs: INPUTS,
        event: 'push-tag',
        api,
        env: { XDG_CACHE_HOME: cacheDir },
      });
      if (i > 0) cached.push(kept.durationMs);
      for (const result of [plain, measured, kept]) {
        if (result.exitCode !== 0 || result.outputs.version !== '1.2.3') {
          console.log(
            `meta bench: run ${i + 1} failed (exit ${result.exitCode})\n${result.stdout}`,
          );
          return;
        }
      }
      runs.push(plain.durationMs);
      cpu.push(Number(/cpu-ms ([\d.]+)/.exec(measured.stderr)?.[1] ?? NaN));
    }
  } finally {
    await api.stop();
    fs.rmSync(path.dirname(wrapper), { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  // The floor every action pays: starting Node itself.
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const bundle = fs.readFileSync(path.join(path.dirname(DIST_ENTRY), 'main', 'index.js'));
  const launcher = fs.readFileSync(DIST_ENTRY);
  const splitDir = path.join(path.dirname(DIST_ENTRY), 'split');
  const splits = fs.existsSync(splitDir)
    ? fs.readdirSync(splitDir).map((name) => fs.readFileSync(path.join(splitDir, name, 'index.js')))
    : [];
  const shipped = Buffer.concat([launcher, bundle, ...splits]);
  const coldMs = median(runs);
  console.log('| Measure | Median | Budget | Verdict |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| meta stage cold run, tag push (${RUNS} runs, API stand-in, no code cache) | ${ms(coldMs)} | ${ms(BUDGET_MS)} | ${verdict(coldMs <= BUDGET_MS)} |`,
  );
  console.log(
    `| the same with the code cache a self-hosted runner keeps (${cached.length} runs) | ${ms(median(cached))} | | |`,
  );
  console.log(
    `| CPU time, user + system (${RUNS} more runs, same inputs) | ${ms(median(cpu))} | | |`,
  );
  console.log(`| bare \`node -e 0\` on this machine (${RUNS} runs) | ${ms(median(bare))} | | |`);
  console.log(
    `| dist/main/index.js, compiled by every run without the code cache | ${kib(bundle.length)} (gzip ${kib(zlib.gzipSync(bundle).length)}) | | |`,
  );
  console.log(
    `| all the action's JavaScript (dist/index.js, dist/main/index.js + ${splits.length} split bundles, all stages) | ${kib(shipped.length)} (gzip ${kib(zlib.gzipSync(shipped).length)}) | ${kib(BUNDLE_BUDGET)} | ${verdict(shipped.length <= BUNDLE_BUDGET)} |`,
  );
  console.log(`\nRuns (ms): ${runs.map((r) => r.toFixed(0)).join(', ')}`);
}

main().catch((err) => console.log(`meta bench failed: ${(err as Error).message}`));
