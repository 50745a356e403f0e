// Runs a real workflow with nektos/act (built by the testbed, scripts/testbed/lib/tools.sh) on
// this machine (`-P ubuntu-latest=-self-hosted`), offline: GITHUB_API_URL points at the local
// API stand-in, and steps of other actions, which act could not fetch, are replaced by local
// composite stand-ins the test defines. `actions/checkout` of the workflow's own repository
// is act's built-in (it copies the local repository, fetching nothing); a job that runs
// `uses: ./` (Gantry, at the repository root) without one gets it first, since on GitHub
// `uses: owner/gantry@v1` needs no checkout. A report step appended to every job records
// `job.status` and the `steps` context (outcomes and outputs) for the test.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify } from 'yaml';
import type { GitHubApiStub } from './github-api';
import { REPO_ROOT } from './testbed';

/** act's pinned version, read from the testbed's pins so the two never disagree. */
function actVersion(): string {
  const common = fs.readFileSync(path.join(REPO_ROOT, 'scripts/testbed/lib/common.sh'), 'utf8');
  const match = /^ACT_VERSION=(\S+)/m.exec(common);
  if (!match) throw new Error('scripts/testbed/lib/common.sh pins no ACT_VERSION');
  return match[1];
}

export function actBinary(): string {
  const cache = process.env.GANTRY_CACHE ?? path.join(os.homedir(), '.cache', 'gantry');
  const bin = path.join(cache, 'testbed', `act-${actVersion()}`, 'act');
  if (!fs.existsSync(bin)) {
    throw new Error(`act is not built (${bin} is missing). Run: npm run testbed -- up`);
  }
  return bin;
}

export interface StandIn {
  /** What the stand-in does instead of the real action, for the reader of the test. */
  description: string;
  inputs?: string[];
  /** Bash run as the stand-in's one composite step. */
  run: string;
}

interface Step {
  uses?: string;
  id?: string;
  [key: string]: unknown;
}
interface Workflow {
  jobs: Record<string, { steps: Step[]; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface StepReport {
  outcome: string;
  conclusion: string;
  outputs: Record<string, string>;
}

export interface JobReport {
  status: string;
  steps: Record<string, StepReport>;
}

export interface WorkflowResult {
  exitCode: number;
  log: string;
  /** Jobs that ran (a job skipped by its `if:` has no report). */
  jobs: Record<string, JobReport>;
}

export interface WorkflowRun {
  /** The repository: a git work tree holding Gantry (action.yml, dist/) at its root. */
  workspace: string;
  /** The workflow as a user wrote it (YAML text). */
  workflow: string;
  /** Stand-ins by the `uses:` they replace, without the `@ref` (e.g. 'actions/checkout'). */
  standIns: Record<string, StandIn>;
  event: string;
  payload: Record<string, unknown>;
  api: GitHubApiStub;
  /** The machine's environment beyond PATH/HOME (e.g. DOCKER_HOST of its Docker engine). */
  machineEnv?: Record<string, string>;
  secrets?: Record<string, string>;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
  timeoutMs?: number;
}

const standInDir = (uses: string) => `.github/stand-ins/${uses.replace(/\//g, '--')}`;

/** The workflow with foreign `uses:` pointed at stand-ins and a report step per job. */
export function prepareWorkflow(text: string, standIns: Record<string, StandIn>): string {
  const workflow = parseYaml(text) as Workflow;
  const isCheckout = (step: Step) => /^actions\/checkout@/.test(step.uses ?? '');
  for (const job of Object.values(workflow.jobs)) {
    const gantryAt = job.steps.findIndex((step) => step.uses === './');
    if (gantryAt >= 0 && !job.steps.slice(0, gantryAt).some(isCheckout)) {
      job.steps.unshift({
        name: 'check out Gantry for `uses: ./` (added by the test harness)',
        uses: 'actions/checkout@v4',
      });
    }
    for (const step of job.steps ?? []) {
      if (!step.uses || step.uses.startsWith('./') || isCheckout(step)) continue;
      const name = step.uses.replace(/@.*$/, '');
      if (!standIns[name]) throw new Error(`no stand-in for ${step.uses}; add one to the test`);
      step.uses = `./${standInDir(name)}`;
    }
    job.steps.push({
      name: 'e2e report (added by the test harness)',
      if: 'always()',
      shell: 'bash',
      env: { E2E_STEPS: '${{ toJSON(steps) }}', E2E_JOB_STATUS: '${{ job.status }}' },
      run: `printf '{"status":"%s","steps":%s}' "$E2E_JOB_STATUS" "$E2E_STEPS" > "$E2E_REPORT_DIR/\${{ github.job }}.json"`,
    });
  }
  return stringify(workflow, { lineWidth: 0 });
}

function writeStandIns(workspace: string, standIns: Record<string, StandIn>): void {
  for (const [uses, standIn] of Object.entries(standIns)) {
    const dir = path.join(workspace, standInDir(uses));
    fs.mkdirSync(dir, { recursive: true });
    const inputs = Object.fromEntries(
      (standIn.inputs ?? []).map((name) => [name, { required: false }]),
    );
    fs.writeFileSync(
      path.join(dir, 'action.yml'),
      stringify(
        {
          name: `stand-in for ${uses}`,
          description: standIn.description,
          inputs,
          runs: { using: 'composite', steps: [{ shell: 'bash', run: standIn.run }] },
        },
        { lineWidth: 0 },
      ),
    );
  }
}

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

/**
 * A fresh repository for one workflow: Gantry at its root (action.yml and the dist/ bundle of
 * this work tree, so `uses: ./` runs it), plus the files given, committed on `branch`.
 */
export function makeRepository(
  name: string,
  files: Record<string, string>,
  branch = 'main',
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gantry-act-${name}-`));
  fs.copyFileSync(path.join(REPO_ROOT, 'action.yml'), path.join(dir, 'action.yml'));
  fs.cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  git(dir, 'init', '-q', '-b', branch);
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/app.git');
  return dir;
}

/** Commits everything (workflow and stand-ins included); returns the commit. */
function commitAll(dir: string): string {
  git(dir, 'add', '-A');
  git(
    dir,
    '-c',
    'user.name=e2e',
    '-c',
    'user.email=e2e@example.invalid',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'e2e',
  );
  return git(dir, 'rev-parse', 'HEAD');
}

export async function runWorkflow(run: WorkflowRun): Promise<WorkflowResult> {
  const { workspace } = run;
  const file = path.join(workspace, '.github', 'workflows', 'e2e.yml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, prepareWorkflow(run.workflow, run.standIns));
  writeStandIns(workspace, run.standIns);
  commitAll(workspace);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-act-run-'));
  const reports = path.join(scratch, 'reports');
  fs.mkdirSync(reports);
  const eventPath = path.join(scratch, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(run.payload));
  const secretFile = path.join(scratch, 'secrets.env');
  fs.writeFileSync(
    secretFile,
    Object.entries({ GITHUB_TOKEN: 'ghs_actStandInToken0123456789', ...run.secrets })
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
  );

  const args = [
    run.event,
    '-W',
    file,
    '-C',
    workspace,
    '-e',
    eventPath,
    '-P',
    'ubuntu-latest=-self-hosted',
    '-P',
    'ubuntu-24.04=-self-hosted',
    '--secret-file',
    secretFile,
    '--env',
    `GITHUB_API_URL=${run.api.url}`,
    '--env',
    `GITHUB_GRAPHQL_URL=${run.api.url}/graphql`,
    '--actor',
    'octocat',
    '--no-cache-server',
    '--defaultbranch',
    'main',
    ...Object.entries(run.inputs ?? {}).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
  ];
  // The "runner machine": its tools on PATH, its Docker engine; nothing of this test process.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // The machine's home: its buildx builders and Docker config live there, as on a runner.
    HOME: process.env.HOME ?? os.homedir(),
    LANG: 'C.UTF-8',
    ACT_DISABLE_VERSION_CHECK: '1',
    E2E_REPORT_DIR: reports,
    ...run.machineEnv,
  };
  const { exitCode, log } = await new Promise<{ exitCode: number; log: string }>(
    (resolve, reject) => {
      const child = spawn(actBinary(), args, { cwd: workspace, env });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 8 * 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? 1, log: out });
      });
    },
  );
  const jobs: Record<string, JobReport> = {};
  for (const name of fs.readdirSync(reports)) {
    jobs[name.replace(/\.json$/, '')] = JSON.parse(
      fs.readFileSync(path.join(reports, name), 'utf8'),
    ) as JobReport;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  return { exitCode, log, jobs };
}
