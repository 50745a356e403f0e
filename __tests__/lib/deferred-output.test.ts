import { spawn } from 'child_process';
import { deferOutput } from '../../src/lib/deferred-output';

/** What reaches stdout and stderr while `fn` runs. */
async function capture(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    seen.push(`out:${String(chunk)}`);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    seen.push(`err:${String(chunk)}`);
    return true;
  });
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return seen;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('deferOutput: work started ahead prints in its own turn', () => {
  it('holds what the work writes, lets the rest through, and prints it in order on replay', async () => {
    const seen = await capture(async () => {
      const work = deferOutput(async () => {
        process.stdout.write('ahead 1\n');
        await tick();
        process.stderr.write('ahead 2\n');
        return 42;
      });
      process.stdout.write('running stage\n');
      await tick();
      process.stdout.write('running stage done\n');
      expect(await work.replay()).toBe(42);
      process.stdout.write('after\n');
    });
    expect(seen).toEqual([
      'out:running stage\n',
      'out:running stage done\n',
      'out:ahead 1\n',
      'err:ahead 2\n',
      'out:after\n',
    ]);
  });

  it("holds a child process's streamed output too", async () => {
    const seen = await capture(async () => {
      const work = deferOutput(
        () =>
          new Promise<void>((resolve) => {
            const child = spawn('sh', ['-c', 'echo from-child']);
            child.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
            child.on('close', () => resolve());
          }),
      );
      process.stdout.write('meanwhile\n');
      await work.replay();
    });
    expect(seen).toEqual(['out:meanwhile\n', 'out:from-child\n']);
  });

  it('prints what the work wrote before it failed, then throws its error', async () => {
    let thrown: unknown;
    const seen = await capture(async () => {
      const work = deferOutput(async () => {
        process.stdout.write('tried\n');
        throw new Error('trivy could not scan');
      });
      await tick();
      thrown = await work.replay().catch((err: unknown) => err);
    });
    expect(seen).toEqual(['out:tried\n']);
    expect(thrown).toEqual(new Error('trivy could not scan'));
  });

  it('lets the work write directly once replayed (a timer it left)', async () => {
    const seen = await capture(async () => {
      const work = deferOutput(async () => {
        setTimeout(() => process.stdout.write('late\n'), 20);
      });
      await work.replay();
      process.stdout.write('replayed\n');
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    expect(seen).toEqual(['out:replayed\n', 'out:late\n']);
  });

  it('gives the outcome of work not needed after all without printing what it wrote', async () => {
    let result: unknown;
    const seen = await capture(async () => {
      const work = deferOutput(async () => {
        process.stdout.write('scanned the wrong digest\n');
        return 'report';
      });
      result = await work.outcome;
    });
    expect(result).toBe('report');
    expect(seen).toEqual([]);
  });
});
