// The build stage end to end: the bundled action builds test/fixtures/build (Go builder ->
// busybox runtime) on the testbed's buildx builder, pushes to 127.0.0.1:5000, loads into the
// engine, rebuilds from the exported cache, falls back to `docker build` without buildx, and
// rejects bad input before building anything.
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GitHubApiStub } from '../harness/github-api';
import { runAction, type ActionResult } from '../harness/runner';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

jest.setTimeout(10 * 60_000);

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'build');
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

let env: Record<string, string>;
let registry: string;
let api: GitHubApiStub;
const tempDirs: string[] = [];

beforeAll(async () => {
  env = testbedEnv();
  registry = env.REGISTRY;
  api = await GitHubApiStub.start();
});

afterAll(async () => {
  await api?.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A private copy of the fixture, so a test can edit its source. */
function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-build-e2e-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  tempDirs.push(dir);
  return dir;
}

/** The testbed's docker client and engine, as the action sees them. */
function docker(args: string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync('docker', args, {
    env: { ...process.env, ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

/** What the registry serves for a tag: the Docker-Content-Digest of its manifest or index. */
async function registryDigest(repository: string, tag: string): Promise<string> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: [
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ].join(', '),
    },
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest') ?? '';
}

/** Fails with the action's own log, which says what went wrong. */
function expectSuccess(result: ActionResult): void {
  if (result.exitCode !== 0) {
    throw new Error(
      `the action failed (exit ${result.exitCode}): ${result.errors.join('; ')}\n` +
        `${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
    );
  }
}

/** BuildKit's plain progress: the step ids whose name matches, and whether each was CACHED. */
function stepCached(log: string, step: RegExp): boolean[] {
  const ids = new Set<string>();
  for (const line of log.split('\n')) {
    const match = /^#(\d+) (\[[^\]]+\] .*)$/.exec(line);
    if (match && step.test(match[2])) ids.add(match[1]);
  }
  return [...ids].map((id) => log.split('\n').some((line) => line.trim() === `#${id} CACHED`));
}

/** What a step's command printed (`#11 0.096 go: ...`): present only when the step really ran. */
function stepOutput(log: string, step: RegExp): string[] {
  const lines = log.split('\n');
  const ids = new Set<string>();
  for (const line of lines) {
    const match = /^#(\d+) (\[[^\]]+\] .*)$/.exec(line);
    if (match && step.test(match[2])) ids.add(match[1]);
  }
  return lines.filter((line) => {
    const match = /^#(\d+) \d+\.\d+ (.*)$/.exec(line);
    return match !== null && ids.has(match[1]);
  });
}

function build(inputs: Record<string, string>, cwd: string, extraEnv: Record<string, string> = {}) {
  return runAction({
    inputs: { stages: 'build', ...inputs },
    env: { ...env, ...extraEnv },
    api,
    cwd,
    timeoutMs: 8 * 60_000,
  });
}

const DEPENDENCY_STEP = /RUN cd \/greeter && go mod download && go build fmt os strings/;
const SOURCE_STEP = /COPY \*\.go \/greeter\//;
const DEPENDENCY_RAN = /go: no module dependencies to download/;

describe('build stage on the testbed', () => {
  it('pushes the multi-stage image; the digest output is what the registry serves', async () => {
    const repository = `e2e/greeter-${RUN}`;
    const secret = `s3cret-${RUN}-value`;
    const result = await build(
      {
        tags: `${registry}/${repository}:1.0`,
        push: 'true',
        secrets: `GREETER_SECRET=${secret}`,
      },
      workspace(),
    );
    expectSuccess(result);
    const digest = result.outputs['digest'];
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(repository, '1.0')).toBe(digest);
    expect(result.outputs['image']).toBe(`${registry}/${repository}@${digest}`);
    expect(result.outputs['imageid']).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(JSON.parse(result.outputs['metadata'])['containerimage.digest']).toBe(digest);

    // The secret is masked and never reaches a command line or the log.
    expect(result.masked).toContain(secret);
    const logged = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'));
    expect(logged.join('\n')).not.toContain(secret);

    expect(result.summary).toContain('| Image | Digest | Size | Build time | Cached steps |');
    expect(result.summary).toContain(`\`${registry}/${repository}\``);
    expect(result.summary).toContain(digest);
    expect(result.summary).toMatch(/\| \d+(\.\d)? (kB|KB|MB) \|/);
  });

  it('passes secrets from values and environment variables to RUN --mount, masked', async () => {
    const tag = `${registry}/e2e/greeter-secrets-${RUN}:1`;
    const fromValue = `value-secret-${RUN}`;
    const fromEnv = `env-secret-${RUN}`;
    const result = await build(
      {
        file: 'Dockerfile.secrets',
        tags: tag,
        load: 'true',
        // Secret values are not part of BuildKit's cache keys: without this a rerun would reuse
        // the layer holding the previous run's checksums.
        'no-cache': 'true',
        secrets: `from-value=${fromValue}`,
        'secret-envs': 'from-env=GREETER_ENV_SECRET',
      },
      workspace(),
      { GREETER_ENV_SECRET: fromEnv },
    );
    expectSuccess(result);
    expect(result.masked).toEqual(expect.arrayContaining([fromValue, fromEnv]));
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(docker(['run', '--rm', tag, 'cat', '/secrets.sha256'])).toBe(
      `${sha256(fromValue)}\n${sha256(fromEnv)}\n`,
    );
  });

  it('takes tags and labels from the meta stage', async () => {
    const image = `${registry}/e2e/greeter-meta-${RUN}`;
    const result = await runAction({
      inputs: {
        stages: 'meta,build',
        images: image,
        tags: 'type=semver,pattern={{version}}',
        push: 'true',
      },
      event: 'push-tag',
      env,
      api,
      cwd: workspace(),
      timeoutMs: 8 * 60_000,
    });
    expectSuccess(result);
    const digest = result.outputs['digest'];
    expect(await registryDigest(`e2e/greeter-meta-${RUN}`, '1.2.3')).toBe(digest);
    expect(result.outputs['image']).toBe(`${image}@${digest}`);
    const config = JSON.parse(
      docker(['buildx', 'imagetools', 'inspect', '--format', '{{json .Image}}', `${image}:1.2.3`]),
    );
    expect(config.config.Labels['org.opencontainers.image.version']).toBe('1.2.3');
  });

  it('loads the image into the engine, and warns about credential-looking build args', async () => {
    const tag = `${registry}/e2e/greeter-${RUN}:loaded`;
    const result = await build(
      { tags: tag, load: 'true', 'build-args': 'GREETER_TOKEN=not-really-a-token' },
      workspace(),
    );
    expectSuccess(result);
    expect(result.warnings.join('\n')).toMatch(
      /"GREETER_TOKEN" looks like a credential.*`secrets`/,
    );
    const id = docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim();
    expect(id).toBe(result.outputs['imageid']);
    expect(docker(['run', '--rm', tag, 'testbed'])).toBe('hello from gantry, testbed\n');
    expect(result.summary).toMatch(/loaded into the engine/);
  });

  it("rebuilds after a source edit from the exported cache: the builder stage's dependency layers are CACHED", async () => {
    const repository = `e2e/greeter-cache-${RUN}`;
    const dir = workspace();
    // A cache key no earlier build used: the first build runs every RUN step and exports them.
    const inputs = {
      tags: `${registry}/${repository}:1`,
      push: 'true',
      'build-args': `GREETER_CACHE_EPOCH=${RUN}`,
    };
    const first = await build(inputs, dir);
    expectSuccess(first);
    // The dependency step ran: `go mod download` says so in its output.
    const firstLog = first.stderr + first.stdout;
    expect(stepCached(firstLog, DEPENDENCY_STEP)).toEqual([false]);
    expect(stepOutput(firstLog, DEPENDENCY_STEP).join('\n')).toMatch(DEPENDENCY_RAN);
    // Forget this fixture's records in the shared builder (its steps all name /greeter), so the
    // second build can only find its layers in the registry cache Gantry exported (mode=max).
    docker(['buildx', 'prune', '--force', '--filter', 'description~=greeter']);

    const main = path.join(dir, 'main.go');
    fs.writeFileSync(
      main,
      fs.readFileSync(main, 'utf8').replace('hello from gantry', 'hi again from gantry'),
    );
    const second = await build({ ...inputs, tags: `${registry}/${repository}:2` }, dir);
    expectSuccess(second);

    const log = second.stderr + second.stdout;
    expect(log).toContain(`importing cache manifest from ${registry}/${repository}:buildcache`);
    // The builder stage's dependency layers came from the cache: the steps up to go.mod are
    // CACHED and the dependency step did not run (BuildKit reports it CACHED, or, when the next
    // step needs its files, as the pull of its cached layer; either way without its output).
    expect(stepCached(log, /COPY go\.mod/)).toContain(true);
    expect(stepOutput(log, DEPENDENCY_STEP).join('\n')).not.toMatch(DEPENDENCY_RAN);
    expect(stepOutput(log, DEPENDENCY_STEP)).toEqual([]);
    // The edited source was not: its steps ran again.
    expect(stepCached(log, SOURCE_STEP)).toEqual([false]);
    expect(second.outputs['digest']).not.toBe(first.outputs['digest']);
    expect(second.summary).toMatch(/\| [1-9]\d* of \d+ \|/);
    expect(second.stdout).toMatch(/cache: auto → registry/);
  });

  it('writes `cache: local` to one directory per image and branch', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-local-cache-'));
    tempDirs.push(cacheDir);
    const result = await build(
      {
        tags: `${registry}/e2e/greeter-local-${RUN}:1`,
        cache: 'local',
        'local-cache-dir': cacheDir,
      },
      workspace(),
    );
    expectSuccess(result);
    // GITHUB_REF is refs/heads/main in the harness: scope <repository path>-<branch>.
    expect(fs.existsSync(path.join(cacheDir, `e2e-greeter-local-${RUN}-main`, 'index.json'))).toBe(
      true,
    );
  });

  it('on a docker-driver builder, `cache: auto` becomes inline cache with a warning', async () => {
    const repository = `e2e/greeter-docker-driver-${RUN}`;
    const result = await build(
      { tags: `${registry}/${repository}:1`, push: 'true', builder: 'default' },
      workspace(),
    );
    expectSuccess(result);
    expect(result.warnings.join('\n')).toMatch(
      /Building again with inline cache: the builder "default" uses the docker driver/,
    );
    expect(result.stdout).toMatch(/cache-to +type=inline/);
    expect(await registryDigest(repository, '1')).toBe(result.outputs['digest']);
  });

  it('falls back to `DOCKER_BUILDKIT=1 docker build` without buildx and builds the same image', async () => {
    // An empty docker config directory hides the buildx plugin the testbed installs there.
    const noBuildx = { DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-nobuildx-')) };
    tempDirs.push(noBuildx.DOCKER_CONFIG);
    expect(() => docker(['buildx', 'version'], noBuildx)).toThrow();

    const repository = `e2e/greeter-fallback-${RUN}`;
    const withBuildx = `${registry}/${repository}:buildx`;
    expectSuccess(await build({ tags: withBuildx, load: 'true' }, workspace()));

    const result = await build(
      { tags: `${registry}/${repository}:fallback`, push: 'true' },
      workspace(),
      noBuildx,
    );
    expectSuccess(result);
    expect(result.warnings.join('\n')).toMatch(
      /buildx is not installed.*DOCKER_BUILDKIT=1 docker build.*Lost until buildx is installed/,
    );
    const digest = result.outputs['digest'];
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(repository, 'fallback')).toBe(digest);
    expect(result.outputs['image']).toBe(`${registry}/${repository}@${digest}`);

    // The same image: same base layer, same entrypoint, the same binary byte for byte.
    const fallback = `${registry}/${repository}:fallback`;
    const inspect = (ref: string) =>
      JSON.parse(docker(['image', 'inspect', ref]))[0] as {
        Id: string;
        Config: { Entrypoint: string[] };
        RootFS: { Layers: string[] };
      };
    const a = inspect(withBuildx);
    const b = inspect(fallback);
    expect(b.Id).toBe(result.outputs['imageid']);
    expect(b.Config.Entrypoint).toEqual(a.Config.Entrypoint);
    expect(b.RootFS.Layers[0]).toBe(a.RootFS.Layers[0]);
    expect(b.RootFS.Layers).toHaveLength(a.RootFS.Layers.length);
    const checksum = (ref: string) =>
      docker(['run', '--rm', '--entrypoint', 'sha256sum', ref, '/usr/local/bin/greeter']);
    expect(checksum(fallback).split(' ')[0]).toBe(checksum(withBuildx).split(' ')[0]);
    expect(docker(['run', '--rm', fallback])).toBe('hello from gantry, world\n');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a missing context',
      { context: 'no-such-dir' },
      /Input "context": the directory "no-such-dir" does not exist/,
    ],
    [
      'a missing Dockerfile',
      { file: 'Dockerfile.missing' },
      /Input "file": the Dockerfile "Dockerfile.missing" does not exist/,
    ],
    [
      'push with no image names',
      { push: 'true' },
      /Input "push": there is no image name to push to/,
    ],
    [
      'load with several platforms',
      { load: 'true', platforms: 'linux/amd64,linux/arm64', tags: 'r.example/a:1' },
      /Input "load": the Docker engine loads one platform at a time/,
    ],
    [
      'a malformed secrets line',
      { secrets: 'TOKEN=abc\nnot-a-pair' },
      /Input "secrets": item 2 is not id=value/,
    ],
    [
      'a malformed build-args line',
      { 'build-args': 'VERSION' },
      /Input "build-args": item 1 is not NAME=value/,
    ],
    [
      'tags that are not image references',
      { tags: 'type=ref,event=branch' },
      /Input "tags": without the meta stage/,
    ],
  ])('rejects %s before building', async (_name, inputs, message) => {
    const result = await build(inputs, workspace());
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(message);
    expect(result.stdout).not.toMatch(/\[command\]\S*docker (buildx )?build /);
  });

  it('rejects an input the fallback cannot honour, naming it, before building', async () => {
    const noBuildx = { DOCKER_CONFIG: fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-nobuildx-')) };
    tempDirs.push(noBuildx.DOCKER_CONFIG);
    const result = await build(
      {
        tags: `${registry}/e2e/greeter-${RUN}:multi`,
        platforms: 'linux/amd64,linux/arm64',
        push: 'true',
      },
      workspace(),
      noBuildx,
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/Input "platforms": a multi-platform build needs buildx/);
    // Gantry tries buildx first; the CLI refuses it at once, and no build starts.
    expect(result.stdout).not.toMatch(/\[command\]\S*docker build /);
    expect(result.stderr + result.stdout).not.toMatch(/load build definition/);
  });
});
