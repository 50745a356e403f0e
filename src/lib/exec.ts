// The one way to run a process: an argument array (never a shell string), output captured,
// and a non-zero exit turned into an error that quotes the command and the tail of stderr.
import * as core from '@actions/core';
import { getExecOutput } from '@actions/exec';
import { spawn } from 'child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Text written to the process's standard input. */
  input?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  /** Echo output lines as they come (long builds), instead of only capturing them. */
  stream?: boolean;
  /** Values to mask in logs before anything is printed (tokens, passwords). */
  secrets?: string[];
  /**
   * Ends the process when this aborts (SIGTERM, SIGKILL 2 s later): a cancelled job stops its
   * waits at once. The result then has the exit code of the killed process.
   */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(
      `${command} failed with exit code ${result.exitCode}:\n${tail(result.stderr || result.stdout)}`,
    );
    this.name = 'CommandError';
  }
}

export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
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
  const result = options.signal
    ? await runAbortable(tool, args, options, options.signal)
    : await getExecOutput(tool, args, {
        cwd: options.cwd,
        env: options.env ? ({ ...options.env } as Record<string, string>) : undefined,
        input: options.input !== undefined ? Buffer.from(options.input) : undefined,
        ignoreReturnCode: true,
        silent: !options.stream,
      });
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new CommandError(describeCommand(tool, args), result);
  }
  return result;
}

/** The toolkit's exec cannot stop a child it started; this path can (captured output only). */
function runAbortable(
  tool: string,
  args: string[],
  options: RunOptions,
  signal: AbortSignal,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const stop = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    child.on('error', (err) => {
      signal.removeEventListener('abort', stop);
      reject(
        new Error(`${describeCommand(tool, args.slice(0, 8))} could not start: ${err.message}`),
      );
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      resolve({ exitCode: code ?? (killedBy ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
