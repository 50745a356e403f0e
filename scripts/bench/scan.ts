// Warm scan time: Gantry's scan stage (the bundled action, as the runner starts it) against a
// bare `trivy image` of the same image with the same DB, scanners and report format.
// Budget: Gantry adds at most 0.5 s. Needs the testbed (npm run testbed -- up).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAction } from '../../test/harness/runner';
import { testbedEnv } from '../../test/harness/testbed';
import { bareTrivyArgs } from './bare-tools';
import { median, seconds } from './stats';

const RUNS = 5;
const BUDGET_MS = 500;

async function main(): Promise<number> {
  let env: Record<string, string>;
  try {
    env = testbedEnv();
  } catch (err) {
    console.error(`scan bench: ${(err as Error).message}`);
    return 1;
  }
  const image = env.TESTBED_IMAGE_VULNERABLE;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-bench-scan-'));
  const cacheDir = path.join(work, 'cache');
  const inputs = {
    stages: 'scan',
    'scan-ref': image,
    'fail-on': 'none',
    'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
    'cache-dir': cacheDir,
    'sarif-file': path.join(work, 'trivy-results.sarif'),
  };
  const gantry = async () => {
    const r = await runAction({
      inputs,
      env: { ...env, TRIVY_DB_REPOSITORY: undefined },
      cwd: work,
    });
    if (r.exitCode !== 0) throw new Error(`Gantry scan failed:\n${r.stdout}\n${r.stderr}`);
    return r.durationMs;
  };
  // What Gantry runs, minus Gantry: same flags (every gate flag explicit), DB already in
  // place, an empty ignore file as Gantry passes when none applies.
  const emptyIgnore = path.join(work, 'trivyignore');
  fs.writeFileSync(emptyIgnore, '');
  const bare = () => {
    const started = Date.now();
    const r = spawnSync(
      env.TRIVY,
      bareTrivyArgs({
        image,
        cacheDir,
        ignoreFile: emptyIgnore,
        output: path.join(work, 'bare.json'),
      }),
      { env: { ...process.env, ...env }, encoding: 'utf8', cwd: work },
    );
    if (r.status !== 0) throw new Error(`trivy image failed:\n${r.stderr}`);
    return Date.now() - started;
  };

  try {
    await gantry(); // warm-up: downloads the DB into the cache once
    bare();
    const gantryMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bareMs.push(bare());
      gantryMs.push(await gantry());
    }
    const overhead = median(gantryMs) - median(bareMs);
    console.log(`Warm scan of \`${image}\`, median of ${RUNS} runs (DB cached, no download).\n`);
    console.log('| Run | Median | Runs |');
    console.log('| --- | --- | --- |');
    console.log(
      `| bare \`trivy image\` | ${seconds(median(bareMs))} | ${bareMs.map(seconds).join(', ')} |`,
    );
    console.log(
      `| Gantry scan stage | ${seconds(median(gantryMs))} | ${gantryMs.map(seconds).join(', ')} |`,
    );
    console.log(
      `| **overhead** | **${seconds(overhead)}** | budget ${seconds(BUDGET_MS)}: ` +
        `${overhead <= BUDGET_MS ? 'within' : 'OVER'} |`,
    );
    return 0;
  } catch (err) {
    console.error(`scan bench: ${(err as Error).message}`);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
