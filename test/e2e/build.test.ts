// The build stage end to end: the bundled action builds test/fixtures/build (Go builder ->
// busybox runtime) on the testbed's buildx builder, pushes to 127.0.0.1:5000, loads into the
// engine, rebuilds from the exported cache, falls back to `docker build` without buildx, and
// rejects bad input before building anything.
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
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

const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** The first bytes of a zstd frame. */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

interface RegistryManifest {
  layers?: { mediaType: string }[];
  manifests?: { digest: string; platform?: { os: string } }[];
}

/** The layers' media types of a tag: a cache manifest, an image, or an index's image. */
async function layerMediaTypes(repository: string, reference: string): Promise<string[]> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, {
    headers: {
      Accept: [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ].join(', '),
    },
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  const manifest = (await response.json()) as RegistryManifest;
  if (manifest.manifests) {
    // The image, not its attestation manifest (platform unknown/unknown).
    const image = manifest.manifests.find((m) => m.platform?.os !== 'unknown');
    return layerMediaTypes(repository, image!.digest);
  }
  return (manifest.layers ?? []).map((layer) => layer.mediaType);
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
    // The image's build wrote no cache: a cache-only build did, after the push, and the step
    // ended only once it had (the checks below read what it exported).
    expect(first.stdout).toMatch(/cache exported after the image is out, beside the later stages/);
    expect(first.stdout).toMatch(
      /^build: cache exported after the image, beside the later stages: [\d.]+ s \(type=registry,ref=.*:buildcache,mode=max/m,
    );
    expect(first.stdout).not.toMatch(/exporting cache to registry/);
    // The dependency step ran: `go mod download` says so in its output.
    const firstLog = first.stderr + first.stdout;
    expect(stepCached(firstLog, DEPENDENCY_STEP)).toEqual([false]);
    // The layers this build made went into the cache as zstd (fast to export); the image's are
    // gzip, which any engine pulls.
    expect(await layerMediaTypes(repository, 'buildcache')).toContain(
      'application/vnd.oci.image.layer.v1.tar+zstd',
    );
    expect(new Set(await layerMediaTypes(repository, '1'))).toEqual(new Set([GZIP_LAYER]));
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

    // The builder stage as the image (`target`): its layers exist in this builder only as the
    // zstd blobs the cache export made; the pushed image is still gzip, which this Docker
    // engine (20.10, no zstd) pulls and runs.
    const third = await build(
      { ...inputs, tags: `${registry}/${repository}:builder`, target: 'builder' },
      dir,
    );
    expectSuccess(third);
    expect(stepCached(third.stderr + third.stdout, SOURCE_STEP)).toEqual([true]);
    expect(new Set(await layerMediaTypes(repository, 'builder'))).toEqual(new Set([GZIP_LAYER]));
    expect(
      docker([
        'run',
        '--rm',
        '--pull',
        'always',
        `${registry}/${repository}:builder`,
        '/out/greeter',
        'cache',
      ]),
    ).toBe('hi again from gantry, cache\n');
  });

  it('writes `cache: local` to one directory per image and branch; a loaded image runs', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-local-cache-'));
    tempDirs.push(cacheDir);
    const tag = `${registry}/e2e/greeter-local-${RUN}:1`;
    const inputs = { tags: tag, cache: 'local', 'local-cache-dir': cacheDir, load: 'true' };
    const result = await build(inputs, workspace());
    expectSuccess(result);
    // GITHUB_REF is refs/heads/main in the harness: scope <repository path>-<branch>.
    const scope = path.join(cacheDir, `e2e-greeter-local-${RUN}-main`);
    expect(fs.existsSync(path.join(scope, 'index.json'))).toBe(true);
    // Loading: the cache blobs are zstd, the image handed to this Docker engine (20.10, which
    // cannot read zstd layers) is gzip, also for the builder stage loaded as the image.
    const blobs = fs.readdirSync(path.join(scope, 'blobs', 'sha256'));
    const zstd = blobs.filter((blob) =>
      fs
        .readFileSync(path.join(scope, 'blobs', 'sha256', blob))
        .subarray(0, 4)
        .equals(ZSTD_MAGIC),
    );
    expect(zstd.length).toBeGreaterThan(0);
    const builderTag = `${registry}/e2e/greeter-local-${RUN}:builder`;
    expectSuccess(await build({ ...inputs, tags: builderTag, target: 'builder' }, workspace()));
    expect(docker(['run', '--rm', builderTag, '/out/greeter', 'local'])).toBe(
      'hello from gantry, local\n',
    );
  });

  it('on a docker-driver builder, `cache: auto` becomes inline cache with a warning, on the first try', async () => {
    const repository = `e2e/greeter-docker-driver-${RUN}`;
    const result = await build(
      { tags: `${registry}/${repository}:1`, push: 'true', builder: 'default' },
      workspace(),
    );
    expectSuccess(result);
    // The builder was asked beside the other stages' checks: no failed first attempt.
    expect(result.warnings.join('\n')).toMatch(
      /Inline cache instead of the planned cache: the builder "default" uses the docker driver/,
    );
    expect(result.warnings.join('\n')).not.toMatch(/Building again/);
    expect(result.stdout.match(/\[command\].*docker[ -]buildx build/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/cache-to +type=inline/);
    // buildx refuses attestations on the docker driver: the default provenance gives way.
    expect(result.stdout).toMatch(/No default provenance attestation: the builder "default"/);
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
      // With a local context (without one, the context is the repository's Git URL, as in
      // build-push-action, and the Dockerfile is looked up there).
      'a missing Dockerfile',
      { context: '.', file: 'Dockerfile.missing' },
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

/** Starts an HTTP server on 127.0.0.1 and returns its port. */
async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface GitServer {
  url: string;
  /** Each request: path and whether it carried the expected token. */
  requests: Array<{ path: string; authorized: boolean }>;
  stop(): Promise<void>;
}

/**
 * A Git smart-HTTP server on 127.0.0.1 (`git http-backend` behind node:http) serving the bare
 * repositories under `root`, answering only requests that carry `token` the way BuildKit sends
 * GIT_AUTH_TOKEN.<host> (basic auth as x-access-token).
 */
async function startGitServer(root: string, token: string): Promise<GitServer> {
  const requests: GitServer['requests'] = [];
  const expected = `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = (req.headers.authorization ?? '').toLowerCase() === expected.toLowerCase();
    requests.push({ path: url.pathname, authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.replace(/^\?/, ''),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let started = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (started) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const at = line.indexOf(':');
        const name = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A proxy on 127.0.0.1 between buildx and the testbed registry that resets the connection of
 * every request `reset` picks (as a broken network does mid-push) and passes the rest on.
 */
async function startFaultProxy(
  registryAddress: string,
  reset: (req: http.IncomingMessage) => boolean,
): Promise<{ address: string; resets: string[]; stop(): Promise<void> }> {
  const [host, port] = registryAddress.split(':');
  const resets: string[] = [];
  const server = http.createServer((req, res) => {
    if (reset(req)) {
      resets.push(`${req.method} ${req.url}`);
      req.socket.resetAndDestroy();
      return;
    }
    const upstream = http.request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const proxyPort = await listen(server);
  return {
    address: `127.0.0.1:${proxyPort}`,
    resets,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The pushed image's config (labels and all), read from the registry. */
function imageConfig(ref: string): { config: { Labels?: Record<string, string> } } {
  return JSON.parse(
    docker(['buildx', 'imagetools', 'inspect', '--format', '{{json .Image}}', ref]),
  ) as { config: { Labels?: Record<string, string> } };
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'e2e',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'e2e',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    },
  }).trim();
}

describe('build stage as a drop-in for docker/build-push-action', () => {
  it("builds the run's repository from Git when there is no checkout, with github-token as GIT_AUTH_TOKEN.<host>", async () => {
    const owner = 'e2e';
    const repo = `gitctx-${RUN}`;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-git-server-'));
    tempDirs.push(root);
    const bare = path.join(root, owner, `${repo}.git`);
    fs.mkdirSync(bare, { recursive: true });
    git(['init', '--quiet', '--bare', bare], root);
    git(['config', 'uploadpack.allowAnySHA1InWant', 'true'], bare);
    const source = workspace();
    git(['init', '--quiet', '-b', 'main'], source);
    git(['add', '.'], source);
    git(['commit', '--quiet', '-m', 'greeter'], source);
    git(['push', '--quiet', bare, 'HEAD:refs/heads/main'], source);
    const sha = git(['rev-parse', 'HEAD'], source);

    const token = `ghs_gitctx${RUN}token`;
    const server = await startGitServer(root, token);
    try {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-no-checkout-'));
      tempDirs.push(empty);
      const image = `${registry}/e2e/gitctx-${RUN}`;
      const result = await runAction({
        inputs: { stages: 'build', tags: `${image}:1`, push: 'true' },
        env: {
          ...env,
          GITHUB_SERVER_URL: server.url,
          GITHUB_REPOSITORY: `${owner}/${repo}`,
          GITHUB_REPOSITORY_OWNER: owner,
          GITHUB_SHA: sha,
          GITHUB_REF: 'refs/heads/main',
        },
        token,
        api,
        cwd: empty,
        timeoutMs: 8 * 60_000,
      });
      expectSuccess(result);
      const gitContext = `${server.url}/${owner}/${repo}.git#${sha}`;
      expect(result.stdout).toContain(`Context: ${gitContext} (the Git context of this run`);
      // BuildKit fetched the repository, with the token (the server refuses requests without).
      expect(server.requests.filter((r) => r.authorized).map((r) => r.path)).toContain(
        `/${owner}/${repo}.git/info/refs`,
      );
      // The token went in a secret file: masked, not on the command line nor in the log.
      expect(result.masked).toContain(token);
      const logged = `${result.stdout}\n${result.stderr}`
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'));
      expect(logged.join('\n')).not.toContain(token);
      expect(result.stdout).toMatch(
        new RegExp(`--secret id=GIT_AUTH_TOKEN\\.127\\.0\\.0\\.1:\\d+,src=`),
      );
      expect(await registryDigest(`e2e/gitctx-${RUN}`, '1')).toBe(result.outputs['digest']);
      expect(docker(['run', '--rm', `${image}:1`, 'git'])).toBe('hello from gantry, git\n');
    } finally {
      await server.stop();
    }
  });

  it("puts meta's rendered labels on the pushed image (not the raw template), with the run's default provenance", async () => {
    const repository = `e2e/greeter-labels-${RUN}`;
    const image = `${registry}/${repository}`;
    const result = await runAction({
      inputs: {
        stages: 'meta,build',
        images: image,
        tags: 'type=ref,event=branch',
        labels: 'team={{branch}}',
        annotations: 'team={{branch}}',
        push: 'true',
      },
      event: 'push-branch-main',
      env,
      api,
      cwd: workspace(),
      timeoutMs: 8 * 60_000,
    });
    expectSuccess(result);
    expect(result.outputs['labels']).toContain('team=main');
    // The image in the registry: meta's rendered value, not `{{branch}}`.
    expect(imageConfig(`${image}:main`).config.Labels?.['team']).toBe('main');
    // The unprefixed annotation reached buildx once (as meta rendered it), not twice.
    const commandLine =
      result.stdout.split('\n').find((l) => /docker[ -]buildx build /.test(l)) ?? '';
    expect(commandLine.match(/--annotation \S*team=/g)).toEqual(['--annotation manifest:team=']);
    // Default provenance with build-push-action's builder-id (the fixture's repository is public).
    expect(commandLine).toContain(
      '--attest type=provenance,mode=max,builder-id=https://github.com/acme/app/actions/runs/123456789/attempts/1',
    );
    const provenance = JSON.parse(
      docker([
        'buildx',
        'imagetools',
        'inspect',
        '--format',
        '{{json .Provenance}}',
        `${image}:main`,
      ]),
    ) as { SLSA?: { builder?: { id?: string }; runDetails?: { builder?: { id?: string } } } };
    const builderId = provenance.SLSA?.builder?.id ?? provenance.SLSA?.runDetails?.builder?.id;
    expect(builderId).toBe('https://github.com/acme/app/actions/runs/123456789/attempts/1');
  });

  it('call: check turns findings into annotations on the Dockerfile line and fails the step', async () => {
    const dir = workspace();
    fs.writeFileSync(
      path.join(dir, 'Dockerfile.check'),
      'FROM 127.0.0.1:5000/testbed/busybox:1 as base\nCMD echo hello\n',
    );
    const result = await build({ file: 'Dockerfile.check', call: 'check' }, dir);
    expect(result.exitCode).toBe(1);
    const annotations = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('::warning ') && line.includes('Build check'));
    expect(annotations.join('\n')).toMatch(
      /::warning title=Build check FromAsCasing,file=Dockerfile\.check,line=1::/,
    );
    expect(annotations.join('\n')).toMatch(
      /::warning title=Build check JSONArgsRecommended,file=Dockerfile\.check,line=2::/,
    );
    expect(result.errors.join('\n')).toMatch(/call: check: Check complete, 2 warnings found/);
    expect(result.summary).toContain('### Build: call check');
    expect(result.summary).toContain('| Level | Rule | Where | Finding |');
    expect(result.summary).toMatch(/FromAsCasing.*Dockerfile\.check:1/);
    // Nothing was built or pushed.
    expect(result.outputs['digest']).toBe('');
  });

  it('passes a clean check, and honours DOCKER_BUILD_SUMMARY=false', async () => {
    const result = await build({ call: 'check' }, workspace(), { DOCKER_BUILD_SUMMARY: 'false' });
    expectSuccess(result);
    expect(result.stdout).toMatch(/call: check: Check complete, no warnings found/);
    expect(result.summary).not.toContain('### Build');
  });
});

describe('build stage under faults and hostile values (issue 15)', () => {
  it('after a reset mid-push, the error says which tags moved to the new image and which did not', async () => {
    const repository = `e2e/greeter-partial-${RUN}`;
    // Every push of the second tag's manifest has its connection reset, as long as the test runs.
    const proxy = await startFaultProxy(
      registry,
      (req) => req.method === 'PUT' && req.url === `/v2/${repository}/manifests/b`,
    );
    try {
      const image = `${proxy.address}/${repository}`;
      const result = await build(
        { tags: `${image}:a\n${image}:b\n${image}:c`, push: 'true', cache: 'none' },
        workspace(),
      );
      expect(result.exitCode).toBe(1);
      expect(proxy.resets.length).toBeGreaterThanOrEqual(1);
      const error = result.errors.join('\n');
      // The reason first.
      expect(error.split('\n')[0]).toMatch(
        /^The build failed: .*(connection reset|EOF|use of closed network connection)/,
      );
      const digest = /the new image is (sha256:[a-f0-9]{64})/.exec(error)?.[1];
      expect(digest).toBeDefined();
      expect(error).toContain(`moved:     ${image}:a`);
      expect(error).toContain(`NOT moved: ${image}:b (not in the registry)`);
      expect(error).toContain(`NOT moved: ${image}:c (not in the registry)`);
      // What the registry holds agrees with the error.
      expect(await registryDigest(repository, 'a')).toBe(digest);
      // The command line comes last, shortened.
      const last = error.split('\n').pop() ?? '';
      expect(last).toMatch(/^\(exit code 1 from \S*docker[ -]buildx build .* … .*-- \.\)$/);
      expect(last.length).toBeLessThan(200);
    } finally {
      await proxy.stop();
    }
  });

  it('reads a context that starts with `-` as the context, not as a flag', async () => {
    const dir = workspace();
    fs.mkdirSync(path.join(dir, '-ctx'));
    for (const file of fs.readdirSync(FIXTURE)) {
      fs.copyFileSync(path.join(FIXTURE, file), path.join(dir, '-ctx', file));
    }
    const result = await build(
      { context: '-ctx', tags: `${registry}/e2e/greeter-dash-${RUN}:1`, load: 'true' },
      dir,
    );
    expectSuccess(result);
    expect(result.stdout).toMatch(/docker[ -]buildx build .* -- -ctx\n/);
  });

  it("leads a build error with BuildKit's reason and ends with the shortened command", async () => {
    const dir = workspace();
    fs.writeFileSync(
      path.join(dir, 'Dockerfile.fails'),
      'FROM 127.0.0.1:5000/testbed/busybox:1\nRUN echo "gantry-e2e-boom" && exit 3\n',
    );
    const result = await build(
      { file: 'Dockerfile.fails', 'no-cache': 'true', tags: `${registry}/e2e/fails-${RUN}:1` },
      dir,
    );
    expect(result.exitCode).toBe(1);
    const lines = result.errors.join('\n').split('\n');
    expect(lines[0]).toMatch(/^The build failed: .*did not complete successfully: exit code: 3/);
    expect(lines[lines.length - 1]).toMatch(/^\(exit code 1 from \S*docker[ -]buildx build /);
  });
});
