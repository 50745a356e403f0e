import { run } from '../../src/lib/exec';

// A stand-in for Trivy stuck on a silent DB repository: it ignores SIGTERM and SIGINT.
const STUBBORN =
  "process.on('SIGTERM', () => {}); process.on('SIGINT', () => {}); " +
  "console.log('waiting'); setInterval(() => {}, 1000);";

describe('run with a deadline', () => {
  it('kills a process that ignores SIGTERM and says it timed out', async () => {
    const result = await run(process.execPath, ['-e', STUBBORN], {
      allowFailure: true,
      timeoutMs: 300,
      killGraceMs: 300,
    });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toContain('waiting');
  });

  it('throws a CommandError naming the deadline without allowFailure', async () => {
    await expect(
      run(process.execPath, ['-e', STUBBORN], { timeoutMs: 200, killGraceMs: 200 }),
    ).rejects.toThrow(/^stopped after 0.2 s \(killed\)\n\(exit code \d+ from /);
  });

  it('returns normally when the process ends in time', async () => {
    const result = await run(process.execPath, ['-e', 'console.log("done")'], {
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false });
  });
});
