// A failed command's error leads with why (the end of its output) and names the command after,
// shortened; the one wrapper every stage uses to run a process.
import { CommandError, describeCommand, run, shortenCommand } from '../../src/lib/exec';

describe('CommandError', () => {
  it('leads with the reason and ends with the command', () => {
    const err = new CommandError('docker buildx build -- .', {
      exitCode: 1,
      stdout: '',
      stderr:
        '#5 [2/3] RUN false\nERROR: failed to build: process "/bin/sh -c false" did not complete successfully: exit code: 1\n',
    });
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('#5 [2/3] RUN false');
    expect(lines[1]).toMatch(/^ERROR: failed to build/);
    expect(lines[2]).toBe('(exit code 1 from docker buildx build -- .)');
  });

  it('says there was no output', () => {
    const err = new CommandError('kubectl get pods', { exitCode: 2, stdout: '', stderr: '' });
    expect(err.message).toBe('(no output)\n(exit code 2 from kubectl get pods)');
  });
});

describe('shortenCommand', () => {
  it('keeps short commands', () => expect(shortenCommand('docker version')).toBe('docker version'));

  it('cuts a long command in the middle, at argument boundaries', () => {
    const args = [
      'buildx',
      'build',
      ...Array.from({ length: 60 }, (_, i) => `--label=k${i}=v`),
      '--',
      '.',
    ];
    const short = shortenCommand(describeCommand('docker', args));
    expect(short.length).toBeLessThanOrEqual(160);
    expect(short).toMatch(/^docker buildx build --label=k0=v .* … .* -- \.$/);
  });
});

describe('run: onLine', () => {
  it.each([
    ['without a deadline', {}],
    ['with a deadline', { timeoutMs: 10_000 }],
  ])(
    'hands over each complete line of stdout and stderr as it comes (%s)',
    async (_case, extra) => {
      const lines: string[] = [];
      await run(
        'sh',
        ['-c', 'printf "one\\ntwo\\n"; printf "three\\n" >&2; printf "four\\nfive"'],
        {
          ...extra,
          onLine: (line) => lines.push(line),
        },
      );
      expect(lines.sort()).toEqual(['four', 'one', 'three', 'two']);
    },
  );
});

describe('run: niceness', () => {
  // The process's nice value as the kernel reports it (field 19 of /proc/<pid>/stat).
  const ownNice = ['-c', 'cut -d" " -f19 /proc/$$/stat'];

  it('runs the process at the priority asked for, with its output and exit code as usual', async () => {
    const base = Number((await run('sh', ownNice)).stdout.trim());
    // Read a moment after the start: the priority is set just after the spawn, so the
    // process's first instructions may still run at the usual one.
    const result = await run('sh', [...ownNice.slice(0, 1), `sleep 0.2; ${ownNice[1]}; exit 3`], {
      niceness: 10,
      allowFailure: true,
    });
    expect(result.exitCode).toBe(3);
    // Set, not added; never lowered below what this process has (that needs privileges).
    expect(Number(result.stdout.trim())).toBe(Math.max(base, 10));
  });
});

describe('run: onStart', () => {
  it('is called once the process runs, before it ends, with its output and lines as usual', async () => {
    const events: string[] = [];
    // The output comes a moment after the start, so the order seen is the order of events.
    const result = await run('sh', ['-c', 'read go; sleep 0.2; echo "got $go"; echo err >&2'], {
      input: 'yes\n',
      stream: false,
      onLine: (line) => events.push(`line ${line}`),
      onStart: () => events.push('started'),
    });
    expect(events[0]).toBe('started');
    expect(events.slice(1).sort()).toEqual(['line err', 'line got yes']);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'got yes\n', stderr: 'err\n' });
  });

  it('is not called for a process that cannot start', async () => {
    const onStart = jest.fn();
    await expect(run('/nonexistent/tool', [], { onStart })).rejects.toThrow(/could not start/);
    expect(onStart).not.toHaveBeenCalled();
  });
});

describe('run: stream', () => {
  it.each([
    ['through @actions/exec', {}],
    ['spawned directly (a deadline)', { timeoutMs: 10_000 }],
  ])('echoes stdout and stderr into the log (stdout), %s', async (_, options) => {
    const written: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const errors: string[] = [];
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      await run('sh', ['-c', 'echo out-line; echo err-line >&2'], { stream: true, ...options });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(written.join('')).toContain('out-line');
    expect(written.join('')).toContain('err-line');
    expect(errors.join('')).not.toContain('err-line');
  });
});
