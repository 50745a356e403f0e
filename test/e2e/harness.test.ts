// The runner-like harness itself, and the pipeline's handling of the `stages` input, through
// the bundled dist/index.js.
import { GitHubApiStub } from '../harness/github-api';
import {
  actionDefaults,
  obeyedCommandLines,
  parseFileCommands,
  runAction,
} from '../harness/runner';

describe('runner-like harness', () => {
  let api: GitHubApiStub;
  beforeAll(async () => {
    api = await GitHubApiStub.start();
  });
  afterAll(() => api.stop());

  it('fills in action.yml defaults and substitutes the workflow token', () => {
    const defaults = actionDefaults('tok');
    expect(defaults.stages).toBe('auto');
    expect(defaults['github-token']).toBe('tok');
    expect(defaults['sep-tags']).toBe('\n');
  });

  it('reads heredoc and plain file commands', () => {
    expect(parseFileCommands('a<<EOF_1\nx\ny\nEOF_1\nb=2\n')).toEqual({ a: 'x\ny', b: '2' });
  });

  it('reads commands as the runner does, honouring stop-commands', () => {
    const stdout = [
      '::error::one',
      '  ::warning::two',
      'text ::error::not a command',
      '::stop-commands::t0k',
      '::error::ignored',
      '::t0k::',
      'x ##[error]legacy',
    ].join('\n');
    expect(obeyedCommandLines(stdout)).toEqual([
      '::error::one',
      '::warning::two',
      'x ##[error]legacy',
    ]);
  });

  it('an unknown stage fails the step, names the input, and writes no output', async () => {
    const result = await runAction({ inputs: { stages: 'meta,bogus' }, api });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain('Input "stages": unknown stage "bogus"');
    expect(result.outputs).toEqual({});
    expect(result.summary).toBe('');
  });

  it('the stub answers repository requests and records them', async () => {
    const response = await fetch(`${api.url}/repos/acme/app`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { default_branch: string }).default_branch).toBe('main');
    expect(api.calls('GET', '/repos/:owner/:repo')).toHaveLength(1);
  });
});
