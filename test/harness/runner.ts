// Runs the bundled action (dist/index.js) the way the GitHub Actions runner does: inputs as
// INPUT_<NAME> variables with action.yml defaults filled in, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
// GITHUB_STATE files, the event payload at GITHUB_EVENT_PATH and GITHUB_API_URL at a stand-in.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import type { GitHubApiStub } from './github-api';
import { REPO_ROOT } from './testbed';

/** The bundle under test; GANTRY_DIST_DIR points at another build (e.g. the one before a fix). */
export const DIST_DIR = process.env.GANTRY_DIST_DIR || path.join(REPO_ROOT, 'dist');
export const DIST_ENTRY = path.join(DIST_DIR, 'index.js');
export const FIXTURE_EVENTS = path.join(REPO_ROOT, 'test', 'fixtures', 'events');

export interface EventFixture {
  eventName: string;
  env?: Record<string, string>;
  payload: Record<string, unknown>;
}

export interface ActionRun {
  /** Input values by their action.yml names; the rest get action.yml defaults. */
  inputs?: Record<string, string>;
  /** A fixture name in test/fixtures/events (e.g. 'push-tag'), or a fixture object. */
  event?: string | EventFixture;
  /** Extra environment (testbed variables, overrides of GITHUB_*). Wins over the fixture. */
  env?: Record<string, string | undefined>;
  api?: GitHubApiStub;
  /** The workspace (GITHUB_WORKSPACE and the process's working directory). */
  cwd?: string;
  /** The token the runner substitutes for `${{ github.token }}`. */
  token?: string;
  timeoutMs?: number;
  /** Run another entry point than dist/index.js (e.g. a post step). */
  entry?: string;
  /** Called with the started process (to watch its output or send it signals, as the runner does). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ActionResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
  /** Variables the action exported for later steps (GITHUB_ENV). */
  env: Record<string, string>;
  /** Messages of ::error:: / ::warning:: / ::notice:: workflow commands, in order. */
  errors: string[];
  warnings: string[];
  notices: string[];
  /** Values the action masked with ::add-mask::. */
  masked: string[];
  durationMs: number;
}

interface ActionYml {
  inputs?: Record<string, { default?: string }>;
}

let cachedDefaults: Record<string, string> | undefined;

/** action.yml defaults, with the expressions the runner would evaluate. */
export function actionDefaults(token: string): Record<string, string> {
  if (!cachedDefaults) {
    const doc = parseYaml(fs.readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;
    cachedDefaults = {};
    for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
      if (spec?.default !== undefined) cachedDefaults[name] = String(spec.default);
    }
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(cachedDefaults)) {
    out[name] = value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) =>
      expr === 'github.token' ? token : '',
    );
  }
  return out;
}

export function loadEventFixture(name: string): EventFixture {
  const file = path.join(FIXTURE_EVENTS, `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as EventFixture;
}

/** Reads a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIM` heredocs or `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]);
      out[name] = body.join('\n');
      continue;
    }
    const pair = /^([^=]+)=(.*)$/.exec(lines[i]);
    if (pair) out[pair[1]] = pair[2];
  }
  return out;
}

function unescapeCommandData(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * The lines of stdout the runner would read as workflow commands: a line whose first non-blank
 * characters are `::` (or holding the legacy `##[`), except between `::stop-commands::TOKEN`
 * and `::TOKEN::`.
 */
export function obeyedCommandLines(stdout: string): string[] {
  const obeyed: string[] = [];
  let resumeToken: string | undefined;
  for (const line of stdout.split(/\r\n|\r|\n/)) {
    if (resumeToken !== undefined) {
      if (line.trim() === `::${resumeToken}::`) resumeToken = undefined;
      continue;
    }
    const stop = /^\s*::stop-commands::(.+)$/.exec(line);
    if (stop) resumeToken = stop[1].trim();
    else if (line.trimStart().startsWith('::') || line.includes('##['))
      obeyed.push(line.trimStart());
  }
  return obeyed;
}

function commandMessages(stdout: string, command: string): string[] {
  const pattern = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`);
  return obeyedCommandLines(stdout)
    .map((line) => pattern.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => unescapeCommandData(m[1]));
}

const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ', 'USER', 'NODE_OPTIONS'];

export async function runAction(run: ActionRun = {}): Promise<ActionResult> {
  const token = run.token ?? 'ghs_harnessToken0123456789';
  const fixture =
    typeof run.event === 'string' ? loadEventFixture(run.event) : (run.event ?? undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-run-'));
  const files = {
    event: path.join(dir, 'event.json'),
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary.md'),
    state: path.join(dir, 'state'),
    env: path.join(dir, 'env'),
    path: path.join(dir, 'path'),
  };
  fs.writeFileSync(files.event, JSON.stringify(fixture?.payload ?? {}));
  for (const f of [files.output, files.summary, files.state, files.env, files.path]) {
    fs.writeFileSync(f, '');
  }
  const runnerTemp = path.join(dir, 'runner-temp');
  fs.mkdirSync(runnerTemp);
  const workspace = run.cwd ?? REPO_ROOT;

  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name]!;
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: fixture?.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '860c1904a1ce19322e91ac35af1ab07466440c37',
    GITHUB_RUN_ID: '123456789',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'ship',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: run.api?.url ?? 'http://127.0.0.1:9',
    GITHUB_GRAPHQL_URL: `${run.api?.url ?? 'http://127.0.0.1:9'}/graphql`,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...fixture?.env,
  });
  for (const [name, value] of Object.entries(run.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const inputs = { ...actionDefaults(token), ...run.inputs };
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const started = Date.now();
  const { exitCode, stdout, stderr } = await new Promise<{
    exitCode: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, [run.entry ?? DIST_ENTRY], { cwd: workspace, env });
    run.onSpawn?.(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 5 * 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: out, stderr: err });
    });
  });

  const result: ActionResult = {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(fs.readFileSync(files.output, 'utf8')),
    summary: fs.readFileSync(files.summary, 'utf8'),
    state: parseFileCommands(fs.readFileSync(files.state, 'utf8')),
    env: parseFileCommands(fs.readFileSync(files.env, 'utf8')),
    errors: commandMessages(stdout, 'error'),
    warnings: commandMessages(stdout, 'warning'),
    notices: commandMessages(stdout, 'notice'),
    masked: commandMessages(stdout, 'add-mask'),
    durationMs: Date.now() - started,
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
