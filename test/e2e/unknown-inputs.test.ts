// Nothing in `with:` is ignored, seen from outside: dist/index.js run the way the runner runs it
// (every `with:` key as INPUT_<NAME>, declared or not) fails on an input Gantry does not know
// before any stage does anything, and the `gantry` CLI (dist/cli/index.js) does the same for
// its flags. Neither needs the testbed: the stages never start.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAction } from '../harness/runner';
import { REPO_ROOT } from '../harness/testbed';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'index.js');

describe('dist/index.js with an input Gantry does not declare', () => {
  const build = { stages: 'meta,build', images: 'registry.invalid/app', push: 'true' };
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'imagess',
      { ...build, imagess: 'app' },
      /^Input "imagess": not an input of Gantry.*did you mean "images"\?/,
    ],
    ['exit_code', { ...build, exit_code: '0' }, /^Input "exit_code": .*did you mean "exit-code"\?/],
    ['canary-percent', { ...build, 'canary-percent': '20' }, /did you mean "canary-percentage"\?/],
    // declared, because k8s-deploy has it: the deploy stage refuses what it cannot do
    [
      'private-cluster',
      { stages: 'deploy', manifests: 'k8s', 'private-cluster': 'true' },
      /^Input "private-cluster": "true" is not supported: .*`kubeconfig`/,
    ],
  ])('%s: fails before anything runs, saying what to use', async (_name, inputs, message) => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-unknown-'));
    const result = await runAction({ inputs, cwd: workspace, timeoutMs: 60_000 });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    // Nothing ran: no stage group opened, no output set, no summary written.
    expect(result.stdout).not.toContain('::group::');
    expect(result.outputs).toEqual({});
    expect(result.summary).toBe('');
  });

  it('sees a `with:` key whatever its spelling (the runner upper-cases it, spaces as _)', async () => {
    const result = await runAction({
      inputs: { stages: 'meta', images: 'app' },
      env: { INPUT_SCAN_REF: 'app:1' },
      timeoutMs: 60_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/^Input "scan_ref": .*did you mean "scan-ref"\?/);
    expect(result.outputs).toEqual({});
  });

  it('runs as before when every input is declared', async () => {
    const result = await runAction({
      inputs: { stages: 'meta', images: 'registry.example/app' },
      event: 'push-tag',
      timeoutMs: 60_000,
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.version).not.toBe('');
  });
});

describe('gantry CLI with a flag Gantry does not declare', () => {
  it('fails before any stage runs, naming the flag and the fix', () => {
    const result = spawnSync(
      process.execPath,
      [CLI, '--stages', 'meta', '--images', 'app', '--trivy-versoin', 'v0.70.0'],
      { encoding: 'utf8', timeout: 60_000, cwd: os.tmpdir() },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Input "trivy-versoin": .*did you mean "trivy-version"\?/);
    expect(result.stdout).not.toContain('▶ meta');
  });
});
