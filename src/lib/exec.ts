// The one way to run a process: an argument array (never a shell string), output captured,
// and a non-zero exit turned into an error that leads with the tail of stderr (the reason) and
// then names the command, shortened.
import * as core from '@actions/core';
import { getExecOutput } from '@actions/exec';
import { spawn } from 'child_process';
import * as os from 'os';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the process's standard input. */
  input?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Echo output lines as they come (long builds), instead of only capturing them. */
  stream?: boolean;
  /** Called with each complete line of output (stdout or stderr) as it comes. */
  onLine?: (line: string) => void;
  /** Values to mask in logs before anything is printed (tokens, passwords). */
  secrets?: string[];
  /**
   * Stop the process after this long: SIGTERM to its process group, then SIGKILL after
   * `killGraceMs` (default 5 s) for tools that ignore SIGTERM. The result says `timedOut`.
   */
  timeoutMs?: number;
  killGraceMs?: number;
  /**
   * Ends the process when this aborts (SIGTERM to its group, SIGKILL 2 s later): a cancelled
   * job stops its waits at once. The result then has the exit code of the killed process.
   */
  signal?: AbortSignal;
  /**
   * The process's nice value, set once it starts (higher yields more to other processes): for
   * background work that must not slow what the job waits for on a busy machine. Best effort.
   */
  niceness?: number;
  /**
   * Called once the process has started: work meant to run beside it rather than hold up its
   * start.
   */
  onStart?: () => void;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when `timeoutMs` ran out and the process was killed. */
  timedOut?: boolean;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const reason = tail(result.stderr || result.stdout) || '(no output)';
    super(`${reason}\n(exit code ${result.exitCode} from ${shortenCommand(command)})`);
    this.name = 'CommandError';
  }
}

export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * A long command line cut in the middle at argument boundaries (`docker buildx build … -- .`):
 * a reader needs the tool and the end, not every flag.
 */
export function shortenCommand(command: string, max = 160): string {
  if (command.length <= max) return command;
  const words = command.split(' ');
  let head = '';
  let tailText = '';
  for (const word of words) {
    if (head.length + word.length + 1 > max * 0.6) break;
    head = head ? `${head} ${word}` : word;
  }
  for (const word of [...words].reverse()) {
    if (tailText.length + word.length + 1 > max * 0.3) break;
    tailText = tailText ? `${word} ${tailText}` : word;
  }
  return `${head} … ${tailText}`.trim();
}

/** A command line for messages, with arguments quoted where a reader would need it. */
export function describeCommand(tool: string, args: string[]): string {
  return [tool, ...args]
    .map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part))
    .join(' ');
}

export async function run(
  tool: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  for (const secret of options.secrets ?? []) if (secret) core.setSecret(secret);
  const spawned =
    options.timeoutMs !== undefined ||
    options.signal !== undefined ||
    options.niceness !== undefined ||
    options.onStart !== undefined;
  const result: RunResult = spawned
    ? await runSpawned(tool, args, options)
    : await getExecOutput(tool, args, {
        cwd: options.cwd,
        env: options.env ? ({ ...options.env } as Record<string, string>) : undefined,
        input: options.input !== undefined ? Buffer.from(options.input) : undefined,
        ignoreReturnCode: true,
        silent: !options.stream,
        listeners: options.onLine
          ? { stdline: options.onLine, errline: options.onLine }
          : undefined,
      });
  if (result.timedOut && !options.allowFailure) {
    throw new CommandError(describeCommand(tool, args), {
      ...result,
      stderr: [result.stderr.trimEnd(), `stopped after ${options.timeoutMs! / 1000} s (killed)`]
        .filter(Boolean)
        .join('\n'),
    });
  }
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new CommandError(describeCommand(tool, args), result);
  }
  return result;
}

/**
 * The same run with a deadline, an abort signal, a priority or a start hook. @actions/exec gives no handle on
 * the child, so this path spawns it itself; with a deadline or a signal, in its own process group
 * so that the kill reaches what it started too.
 */
function runSpawned(tool: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (options.stream) process.stdout.write(`[command]${tool} ${args.join(' ')}\n`);
    const group =
      process.platform !== 'win32' &&
      (options.timeoutMs !== undefined || options.signal !== undefined);
    const child = spawn(tool, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: group,
    });
    // Set just after the spawn (Node has no hook between fork and exec): the first moments of
    // the process, before it reads this, may run at the usual priority.
    if (options.niceness !== undefined && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, options.niceness);
      } catch {
        // Not allowed here: it runs at the usual priority.
      }
    }
    if (options.onStart && child.pid !== undefined) setImmediate(options.onStart);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const lines = { stdout: '', stderr: '' };
    const follow = (stream: keyof typeof lines, text: string) => {
      if (!options.onLine) return;
      const parts = (lines[stream] + text).split(/\r?\n/);
      lines[stream] = parts.pop() ?? '';
      for (const line of parts) options.onLine(line);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      follow('stdout', chunk.toString());
      if (options.stream) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      follow('stderr', chunk.toString());
      // Into the log with the rest, as @actions/exec echoes it (buildx's progress is on stderr).
      if (options.stream) process.stdout.write(chunk);
    });
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined && group) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = (graceMs: number) => {
      kill('SIGTERM');
      graceTimer ??= setTimeout(() => kill('SIGKILL'), graceMs);
    };
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop(options.killGraceMs ?? 5000);
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => stop(2000);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      settle();
      reject(
        new Error(`${describeCommand(tool, args.slice(0, 8))} could not start: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      settle();
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
