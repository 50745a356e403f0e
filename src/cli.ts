// `gantry`: the same pipeline outside GitHub Actions. Inputs come from a YAML file and
// `--<input> value` flags (action.yml names), the git context from the local repository,
// and the outputs and summary go to the terminal.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { loadContext } from './context';
import { mapInputs } from './inputs';
import { run } from './lib/exec';
import { errorMessage } from './lib/errors';
import { backgroundLine, runPipeline } from './pipeline';

const USAGE = `usage: gantry [--config FILE.yml] [--<input> VALUE ...] [--event NAME] [--ref REF]
  Runs Gantry's stages with the inputs of action.yml (e.g. --stages meta,build --images reg/app
  --tags "type=semver,pattern={{version}}"). --config reads a YAML map of the same names.
  --ref (e.g. refs/tags/v1.2.3), --sha, --event (default push), --repository OWNER/NAME and
  --default-branch (default main) stand in for the workflow event; by default ref and sha come
  from the local git repository.`;

export interface CliArgs {
  inputs: Record<string, string>;
  ref?: string;
  sha?: string;
  event: string;
  repository?: string;
  defaultBranch: string;
}

export function parseCliArgs(argv: string[]): CliArgs {
  const args: CliArgs = { inputs: {}, event: 'push', defaultBranch: 'main' };
  const fromFlags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) throw new Error(`unexpected argument "${flag}"\n${USAGE}`);
    const [name, inline] = flag.slice(2).split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    if (name === 'config') {
      const doc = parseYaml(fs.readFileSync(value, 'utf8')) as Record<string, unknown> | null;
      for (const [key, v] of Object.entries(doc ?? {})) {
        args.inputs[key] = Array.isArray(v) ? v.join('\n') : String(v);
      }
    } else if (name === 'ref') args.ref = value;
    else if (name === 'sha') args.sha = value;
    else if (name === 'event') args.event = value;
    else if (name === 'repository') args.repository = value;
    else if (name === 'default-branch') args.defaultBranch = value;
    else fromFlags[name] = value;
  }
  Object.assign(args.inputs, fromFlags);
  return args;
}

async function git(args: string[]): Promise<string> {
  const result = await run('git', args, { allowFailure: true });
  return result.exitCode === 0 ? result.stdout.trim() : '';
}

/** The environment a workflow would have, from flags and the local repository. */
async function workflowEnv(args: CliArgs): Promise<NodeJS.ProcessEnv> {
  const ref = args.ref ?? ((await git(['symbolic-ref', '-q', 'HEAD'])) || 'refs/heads/main');
  const sha = args.sha ?? ((await git(['rev-parse', 'HEAD'])) || '0'.repeat(40));
  const repository = args.repository ?? process.env.GITHUB_REPOSITORY ?? 'local/app';
  const committed = (await git(['log', '-1', '--format=%cI'])) || new Date().toISOString();
  // A minimal push payload: what the stages read from an event (default branch, commit date).
  const eventPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-cli-')), 'event.json');
  fs.writeFileSync(
    eventPath,
    JSON.stringify({
      ref,
      after: sha,
      repository: { full_name: repository, default_branch: args.defaultBranch },
      head_commit: { id: sha, timestamp: committed },
    }),
  );
  return {
    ...process.env,
    GITHUB_EVENT_NAME: args.event,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: repository,
    GITHUB_EVENT_PATH: eventPath,
  };
}

/**
 * @actions/core speaks workflow commands on stdout; a terminal wants plain lines. Masking
 * commands carry the secret itself, so they are dropped, never echoed.
 */
function plainTerminalOutput(): void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const plain = text
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::') && line !== '::endgroup::')
      .map((line) =>
        line
          .replace(/^::group::(.*)$/, '\n▶ $1')
          .replace(
            /^::(error|warning|notice)(?: [^:]*)?::(.*)$/,
            (_m, level, msg) => `${level}: ${msg.replace(/%0A/g, '\n')}`,
          )
          .replace(/^::debug::.*$/, ''),
      )
      .join('\n');
    return (write as (c: string, ...r: unknown[]) => boolean)(plain, ...rest);
  }) as typeof process.stdout.write;
}

export async function cli(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  plainTerminalOutput();
  try {
    const args = parseCliArgs(argv);
    const inputs = {
      'sep-tags': '\n',
      'sep-labels': '\n',
      'sep-annotations': '\n',
      ...args.inputs,
    };
    const ctx = loadContext(await workflowEnv(args));
    const outcome = await runPipeline(mapInputs(inputs), ctx, {
      group: async (title, fn) => {
        console.log(`\n▶ ${title}`);
        return fn();
      },
      stageDone: async (name, outputs, summary, durationMs) => {
        console.log(`\n── ${name} outputs (${(durationMs / 1000).toFixed(2)} s) ──`);
        for (const [key, value] of Object.entries(outputs)) {
          console.log(
            `${key}: ${value.includes('\n') ? '\n  ' + value.split('\n').join('\n  ') : value}`,
          );
        }
        if (summary) console.log(`\n${summary}`);
      },
      backgroundDone: (name, outcome, waitedMs) => {
        const message = backgroundLine(name, outcome, waitedMs);
        if (outcome.failed) console.error(`\n! ${message}`);
        else console.log(`\n${message}`);
      },
    });
    if (outcome.failure) {
      console.error(`\n✗ ${outcome.failure}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`\n✗ ${errorMessage(err)}`);
    return 1;
  }
}
