// The meta stage through the bundled action (dist/index.js), run the way the Actions runner
// runs it, for every recorded event: outputs, job summary and the GitHub API calls made.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { defaultRepository, GitHubApiStub } from '../harness/github-api';
import {
  loadEventFixture,
  obeyedCommandLines,
  runAction,
  type ActionResult,
} from '../harness/runner';

jest.setTimeout(60_000);

const IMAGE = '127.0.0.1:5000/acme/app';
const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';
const TOKEN = 'ghs_metaE2eToken0123456789';
const SEMVER_SETUP = [
  'type=schedule',
  'type=ref,event=branch',
  'type=ref,event=pr',
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=sha',
].join('\n');

let api: GitHubApiStub;
beforeEach(async () => {
  api = await GitHubApiStub.start();
});
afterEach(() => api.stop());

function meta(inputs: Record<string, string>, event: string, env: Record<string, string> = {}) {
  return runAction({
    inputs: { stages: 'meta', images: IMAGE, ...inputs },
    event,
    env: { SOURCE_DATE_EPOCH: '1763630400', ...env },
    api,
    token: TOKEN,
  });
}

function label(result: ActionResult, key: string): string | undefined {
  const line = result.outputs.labels
    .split('\n')
    .find((l) => l.startsWith(`org.opencontainers.image.${key}=`));
  return line?.slice(line.indexOf('=') + 1);
}

describe.each<[string, string, string[]]>([
  ['push-branch-main', 'main', ['main', 'sha-860c190']],
  ['push-branch-feature', 'feature-login-page', ['feature-login-page', 'sha-3f1c7d9']],
  ['push-tag', '1.2.3', ['1.2.3', '1.2', 'sha-860c190', 'latest']],
  ['push-tag-prerelease', '2.0.0-rc.1', ['2.0.0-rc.1', 'sha-860c190']],
  ['pull_request', 'pr-7', ['pr-7', 'sha-fe7c1d2']],
  ['pull_request_target', 'pr-7', ['pr-7', 'sha-860c190']],
  ['schedule', 'nightly', ['nightly', 'main', 'sha-860c190']],
  ['release', '1.2.3', ['1.2.3', '1.2', 'sha-860c190', 'latest']],
  ['workflow_dispatch', 'main', ['main', 'sha-860c190']],
])('%s', (event, version, tags) => {
  let result: ActionResult;
  beforeEach(async () => {
    result = await meta({ tags: SEMVER_SETUP }, event);
  });

  it('succeeds and sets version, tags, labels, annotations and json', () => {
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.version).toBe(version);
    const refs = tags.map((tag) => `${IMAGE}:${tag}`);
    expect(result.outputs.tags.split('\n')).toEqual(refs);
    const fixture = loadEventFixture(event);
    expect(label(result, 'version')).toBe(version);
    expect(label(result, 'revision')).toBe(fixture.env?.GITHUB_SHA);
    expect(label(result, 'created')).toBe('2025-11-20T09:20:00.000Z');
    // The repository facts come from the API (the stub), not from the event payload.
    expect(label(result, 'description')).toBe('A sample service shipped with Gantry');
    expect(label(result, 'licenses')).toBe('MIT');
    expect(label(result, 'source')).toBe('https://github.com/acme/app');
    const annotations = result.outputs.annotations.split('\n');
    expect(annotations).toContain(`manifest:org.opencontainers.image.version=${version}`);
    const json = JSON.parse(result.outputs.json);
    expect(json.tags).toEqual(refs);
    expect(json.labels['org.opencontainers.image.version']).toBe(version);
    expect(json.annotations).toEqual(annotations);
  });

  it('writes the tags and labels to the job summary', () => {
    expect(result.summary).toContain('| Tag |');
    for (const tag of tags) expect(result.summary).toContain(`| \`${IMAGE}:${tag}\` |`);
    expect(result.summary).toContain(`| \`org.opencontainers.image.version\` | ${version} |`);
  });

  it('reads the repository once from the API, with the workflow token', () => {
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /repos/acme/app']);
    expect(api.requests[0].headers.authorization).toBe(`token ${TOKEN}`);
  });
});

describe('default tags', () => {
  it('an empty tags input gives the metadata-action default set', async () => {
    const result = await meta({}, 'push-tag');
    expect(result.exitCode).toBe(0);
    expect(result.outputs.tags.split('\n')).toEqual([`${IMAGE}:v1.2.3`, `${IMAGE}:latest`]);
  });
});

describe('commit date', () => {
  const tags = "type=raw,value={{commit_date 'YYYYMMDD-HHmm'}}";

  it('comes from a push payload without an API call', async () => {
    const result = await meta({ tags }, 'push-branch-main');
    expect(result.outputs.tags).toBe(`${IMAGE}:20261120-0830`);
    expect(api.calls('GET', '/repos/:owner/:repo/commits/:ref')).toHaveLength(0);
  });

  it('comes from the commits API when the event has no commit', async () => {
    api.route('GET', '/repos/:owner/:repo/commits/:ref', () => ({
      body: { sha: SHA, commit: { committer: { date: '2026-01-02T03:04:05Z' } } },
    }));
    const result = await meta({ tags }, 'release');
    expect(result.exitCode).toBe(0);
    expect(result.outputs.tags).toBe(`${IMAGE}:20260102-0304`);
    const calls = api.calls('GET', '/repos/:owner/:repo/commits/:ref');
    expect(calls.map((c) => c.path)).toEqual([`/repos/acme/app/commits/${SHA}`]);
  });
});

describe('when the API fails', () => {
  it('warns and labels from the event payload', async () => {
    api.route('GET', '/repos/:owner/:repo', () => ({ status: 500, body: { message: 'boom' } }));
    const result = await meta({ tags: 'type=ref,event=tag' }, 'push-tag');
    expect(result.exitCode).toBe(0);
    expect(result.warnings.join('\n')).toContain('Cannot read repository acme/app');
    expect(label(result, 'description')).toBe('The acme app');
    expect(label(result, 'licenses')).toBe('Apache-2.0');
    expect(result.outputs.tags.split('\n')).toEqual([`${IMAGE}:v1.2.3`, `${IMAGE}:latest`]);
  });
});

describe('without a token', () => {
  it('makes no API call, warns, and labels from the event payload', async () => {
    const result = await meta({ tags: 'type=ref,event=tag', 'github-token': '' }, 'push-tag');
    expect(result.exitCode).toBe(0);
    expect(api.requests).toEqual([]);
    expect(result.warnings.join('\n')).toContain('github-token is empty');
    expect(label(result, 'licenses')).toBe('Apache-2.0');
  });
});

describe('bad input', () => {
  it.each([
    ['tags', { tags: 'type=ref,event=branch\ntype=nope' }, '"type=nope"'],
    ['tags', { tags: 'type=match,pattern=v(\\d' }, '"type=match,pattern=v(\\d"'],
    ['tags', { tags: 'type=ref,event=tag,pattren=x' }, 'unknown attribute "pattren"'],
    ['flavor', { flavor: 'latest=sometimes' }, '"latest=sometimes"'],
    ['images', { images: 'name=ghcr.io/acme/app,tag=x' }, '"name=ghcr.io/acme/app,tag=x"'],
  ])(
    '%s: fails the step, names the input and line, writes no output',
    async (input, inputs, line) => {
      const result = await meta(inputs, 'push-tag');
      expect(result.exitCode).toBe(1);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toContain(`Input "${input}"`);
      expect(result.errors[0]).toContain(line);
      expect(result.outputs).toEqual({});
      expect(result.summary).toBe('');
      expect(api.requests).toEqual([]);
    },
  );

  it('a ref that yields no tag is a warning, not a failure', async () => {
    const result = await meta({ tags: 'type=semver,pattern={{version}}' }, 'push-branch-main');
    expect(result.exitCode).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.warnings.join('\n')).toContain('No image tag was generated for refs/heads/main');
    expect(result.outputs.version).toBe('');
    expect(result.outputs.tags).toBe('');
    expect(result.summary).toContain('No tags were generated');
  });
});

describe('inputs and environment', () => {
  it('joins outputs with the sep-* inputs', async () => {
    const result = await meta(
      { tags: 'type=semver,pattern={{version}}', 'sep-tags': ',', 'sep-labels': ';' },
      'push-tag',
    );
    expect(result.outputs.tags).toBe(`${IMAGE}:1.2.3,${IMAGE}:latest`);
    expect(result.outputs.labels.split(';')).toHaveLength(8);
  });

  it('DOCKER_METADATA_PR_HEAD_SHA tags the pull request head', async () => {
    const result = await meta({ tags: 'type=sha' }, 'pull_request', {
      DOCKER_METADATA_PR_HEAD_SHA: 'true',
    });
    expect(result.outputs.tags).toBe(`${IMAGE}:sha-a1b2c3d`);
    expect(label(result, 'revision')).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
  });

  it('flavor, labels and annotations', async () => {
    const result = await meta(
      {
        tags: 'type=semver,pattern={{version}}',
        flavor: 'prefix=app-,onlatest=true',
        labels: 'org.opencontainers.image.title=Acme App',
        annotations: 'index:com.acme.channel=stable',
      },
      'push-tag',
    );
    expect(result.outputs.tags.split('\n')).toEqual([`${IMAGE}:app-1.2.3`, `${IMAGE}:app-latest`]);
    expect(label(result, 'title')).toBe('Acme App');
    expect(result.outputs.annotations.split('\n')).toContain('index:com.acme.channel=stable');
  });
});

describe('ref-source: git', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-meta-git-'));
    git('init', '-q', '-b', 'release/3.x');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    fs.writeFileSync(path.join(repo, 'README.md'), 'hello\n');
    git('add', 'README.md');
    execFileSync('git', ['commit', '-q', '-m', 'first'], {
      cwd: repo,
      env: { ...process.env, GIT_COMMITTER_DATE: '2026-02-03T04:05:06Z' },
    });
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  function runGit(tags: string, source: Record<string, string> = { 'ref-source': 'git' }) {
    return runAction({
      inputs: { stages: 'meta', images: IMAGE, tags, ...source },
      event: 'push-branch-main',
      api,
      cwd: repo,
    });
  }

  it('reads the branch, commit and commit date from the checkout', async () => {
    const sha = git('rev-parse', 'HEAD');
    const result = await runGit(
      "type=ref,event=branch\ntype=sha\ntype=raw,value={{commit_date 'YYYYMMDD'}}",
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs.tags.split('\n')).toEqual([
      `${IMAGE}:release-3.x`,
      `${IMAGE}:20260203`,
      `${IMAGE}:sha-${sha.slice(0, 7)}`,
    ]);
    expect(label(result, 'revision')).toBe(sha);
  });

  it('reads the tag of a detached checkout', async () => {
    git('tag', 'v3.1.4');
    git('checkout', '-q', '--detach', 'v3.1.4');
    const result = await runGit('type=semver,pattern={{version}}');
    expect(result.outputs.version).toBe('3.1.4');
    expect(result.outputs.tags.split('\n')).toEqual([`${IMAGE}:3.1.4`, `${IMAGE}:latest`]);
  });
});

describe("docker/metadata-action's context: git, pasted", () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-meta-context-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo });
    git('init', '-q', '-b', 'hotfix/9');
    git(
      '-c',
      'user.email=ci@example.com',
      '-c',
      'user.name=CI',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    );
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  const run = (inputs: Record<string, string>) =>
    runAction({
      inputs: { stages: 'meta', images: IMAGE, tags: 'type=ref,event=branch', ...inputs },
      event: 'push-branch-main',
      api,
      cwd: repo,
    });

  it('reads the ref from the checkout, as ref-source: git does', async () => {
    const result = await run({ context: 'git' });
    expect(result.errors).toEqual([]);
    expect(result.outputs.tags).toBe(`${IMAGE}:hotfix-9`);
  });

  it('context: workflow with ref-source: git fails before anything runs, naming both', async () => {
    const result = await run({ context: 'workflow', 'ref-source': 'git' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(/^Input "ref-source": says git but context says workflow/),
    ]);
    expect(result.outputs).toEqual({});
    expect(api.requests).toEqual([]);
  });
});

describe("images with a tag (Azure/k8s-deploy's meaning)", () => {
  it('is refused before anything runs, pointing to deploy-images', async () => {
    const result = await meta({ images: `${IMAGE}:1.2`, tags: 'type=ref,event=tag' }, 'push-tag');
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`Input "images": "${IMAGE}:1.2" carries a tag`);
    expect(result.errors[0]).toContain('use deploy-images');
    expect(result.outputs).toEqual({});
  });
});

describe("docker/metadata-action's outputs and variables", () => {
  const tags = [
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}},value=app/v7.8.9,"match=v(\\d+\\.\\d+\\.\\d+)$"',
    "type=raw,value=d{{date 'DDDD.E' tz='Asia/Tokyo'}},enable={{is_not_default_branch}}",
  ].join('\n');

  it('tag-names, json, the Bake files and every output as DOCKER_METADATA_OUTPUT_*', async () => {
    // The harness removes its own RUNNER_TEMP after the run: give it one that stays.
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-meta-bake-'));
    const result = await meta({ tags, 'bake-target': 'meta' }, 'push-tag', {
      RUNNER_TEMP: runnerTemp,
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs['bake-file'].startsWith(runnerTemp)).toBe(true);
    // 2025-11-20T09:20Z is 18:20 in Tokyo, still day 324, a Thursday (ISO weekday 4).
    const names = ['1.2.3', '7.8', 'd324.4', 'latest'];
    expect(result.outputs['tag-names'].split('\n')).toEqual(names);
    expect(result.outputs.tags.split('\n')).toEqual(names.map((tag) => `${IMAGE}:${tag}`));
    expect(JSON.parse(result.outputs.json)['tag-names']).toEqual(names);

    const read = (output: string) => JSON.parse(fs.readFileSync(result.outputs[output], 'utf8'));
    expect(read('bake-file-tags')).toEqual({
      target: {
        meta: {
          tags: names.map((tag) => `${IMAGE}:${tag}`),
          args: { DOCKER_META_IMAGES: IMAGE, DOCKER_META_VERSION: '1.2.3' },
        },
      },
    });
    expect(read('bake-file-labels').target.meta.labels['org.opencontainers.image.version']).toBe(
      '1.2.3',
    );
    expect(read('bake-file-annotations').target.meta.annotations).toEqual(
      result.outputs.annotations.split('\n'),
    );
    expect(Object.keys(read('bake-file').target.meta)).toEqual(['tags', 'labels', 'args']);
    fs.rmSync(runnerTemp, { recursive: true, force: true });

    const outputs = [
      'version',
      'tags',
      'tag-names',
      'labels',
      'annotations',
      'json',
      'bake-file-tags',
      'bake-file-labels',
      'bake-file-annotations',
      'bake-file',
    ];
    expect(Object.keys(result.outputs).sort()).toEqual([...outputs].sort());
    for (const output of outputs) {
      const variable = `DOCKER_METADATA_OUTPUT_${output.replace(/-/g, '_').toUpperCase()}`;
      expect([variable, result.env[variable]]).toEqual([variable, result.outputs[output]]);
    }
  });

  it('DOCKER_METADATA_SET_OUTPUT_ENV=false exports none', async () => {
    const result = await meta({ tags }, 'push-tag', { DOCKER_METADATA_SET_OUTPUT_ENV: 'false' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.version).toBe('1.2.3');
    expect(result.env).toEqual({});
  });

  it('an unquoted date format renders the ISO date, as the peer does, with a warning', async () => {
    const result = await meta({ tags: 'type=raw,value={{date YYYYMMDD}}' }, 'push-tag');
    expect(result.exitCode).toBe(0);
    expect(result.outputs['tag-names']).toBe('2025-11-20T09-20-00Z');
    expect(result.warnings.join('\n')).toContain("quote the format: {{date 'YYYYMMDD'}}");
  });
});

describe('a hostile repository description (workflow-command injection)', () => {
  const hostile = [
    'Nice app',
    '::error::pwned by the description',
    `::add-mask::${SHA}`,
    '  ::warning title=x::pwned again',
    '##[error]pwned the legacy way',
  ].join('\n');

  it('reaches the labels intact, and the runner obeys none of it', async () => {
    api.route('GET', '/repos/:owner/:repo', (req) => ({
      body: { ...defaultRepository(req.params.owner, req.params.repo), description: hostile },
    }));
    const result = await meta({ tags: 'type=ref,event=tag' }, 'push-tag');
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.outputs.json);
    expect(json.labels['org.opencontainers.image.description']).toBe(hostile);
    expect(json.annotations).toContain(`manifest:org.opencontainers.image.description=${hostile}`);
    // The log still shows it, line for line...
    expect(result.stdout).toContain('::error::pwned by the description');
    // ...but nothing in it is a command the runner would act on.
    expect(obeyedCommandLines(result.stdout).filter((line) => /pwned|add-mask/.test(line))).toEqual(
      [],
    );
    expect(result.errors).toEqual([]);
    expect(result.masked).not.toContain(SHA);
    expect(result.warnings.join('\n')).not.toContain('pwned');
  });
});
