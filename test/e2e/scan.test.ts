// The scan stage through the runner-like harness against the testbed's real Trivy, its
// authored vulnerability DB in the local registry and the testbed images.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { GitHubApiStub } from '../harness/github-api';
import { runAction, type ActionResult, type EventFixture } from '../harness/runner';
import { REPO_ROOT, testbedEnv } from '../harness/testbed';

jest.setTimeout(10 * 60_000);

const env = testbedEnv();
const VULNERABLE = env.TESTBED_IMAGE_VULNERABLE;
const BUSYBOX = env.TESTBED_IMAGE_BUSYBOX;
const CRITICAL_CVE = env.TESTBED_CRITICAL_CVE;
const HIGH_CVE = env.TESTBED_HIGH_CVE;

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gantry-scan-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** A scan of `scanRef` with a cache directory of its own (cold unless shared on purpose). */
function scan(
  inputs: Record<string, string>,
  options: {
    cacheDir?: string;
    event?: string | EventFixture;
    api?: GitHubApiStub;
    cwd?: string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
  } = {},
): Promise<ActionResult> {
  const cwd = options.cwd ?? tempDir('ws');
  return runAction({
    timeoutMs: options.timeoutMs,
    inputs: {
      stages: 'scan',
      'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
      'cache-dir': options.cacheDir ?? tempDir('cache'),
      'sarif-file': path.join(cwd, 'out', 'trivy-results.sarif'),
      ...inputs,
    },
    // The testbed's TRIVY_DB_REPOSITORY is a value for the inputs, not the step's environment.
    env: { ...env, TRIVY_DB_REPOSITORY: undefined, ...options.env },
    cwd,
    event: options.event,
    api: options.api,
  });
}

function sarifRuleIds(file: string): string[] {
  const sarif = JSON.parse(fs.readFileSync(file, 'utf8'));
  return sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId);
}

/**
 * Forwards HTTP to the testbed registry and records each request: a real registry behind,
 * so a DB download shows up here as the blob and manifest GETs Trivy makes.
 */
async function countingRegistryProxy(): Promise<{
  host: string;
  requests: string[];
  stop: () => Promise<void>;
}> {
  const [upstreamHost, upstreamPort] = env.REGISTRY.split(':');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: env.REGISTRY },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A stand-in for the Actions cache service (the v1 protocol @actions/cache speaks with
 * ACTIONS_CACHE_URL): look-up by key and restore keys, reserve, chunked upload, commit,
 * archive download. Entries live in memory.
 */
async function cacheService(): Promise<{
  url: string;
  saved: string[];
  restored: string[];
  stop: () => Promise<void>;
}> {
  const entries: { id: number; key: string; version: string; data: Buffer; done: boolean }[] = [];
  const saved: string[] = [];
  const restored: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://stub');
      const json = (status: number, value?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      const api = '/_apis/artifactcache/';
      if (req.method === 'GET' && url.pathname === `${api}cache`) {
        const version = url.searchParams.get('version');
        const done = entries.filter((e) => e.done && e.version === version);
        for (const key of (url.searchParams.get('keys') ?? '').split(',')) {
          const hit =
            done.find((e) => e.key === key) ?? done.reverse().find((e) => e.key.startsWith(key));
          if (hit) {
            restored.push(hit.key);
            const archiveLocation = `http://127.0.0.1:${port}/archives/${hit.id}`;
            return json(200, { cacheKey: hit.key, scope: 'refs/heads/main', archiveLocation });
          }
        }
        return json(204);
      }
      if (req.method === 'POST' && url.pathname === `${api}caches`) {
        const { key, version } = JSON.parse(body.toString());
        const id = entries.length + 1;
        entries.push({ id, key, version, data: Buffer.alloc(0), done: false });
        return json(201, { cacheId: id });
      }
      const upload = new RegExp(`^${api}caches/(\\d+)$`).exec(url.pathname);
      const entry = upload && entries.find((e) => e.id === Number(upload[1]));
      if (entry && req.method === 'PATCH') {
        const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1] ?? 0);
        const grown = Buffer.alloc(Math.max(entry.data.length, start + body.length));
        entry.data.copy(grown);
        body.copy(grown, start);
        entry.data = grown;
        return json(204);
      }
      if (entry && req.method === 'POST') {
        entry.done = true;
        saved.push(entry.key);
        return json(204);
      }
      const archive = /^\/archives\/(\d+)$/.exec(url.pathname);
      const stored = archive && entries.find((e) => e.id === Number(archive[1]));
      if (stored) {
        res.writeHead(200, { 'content-length': stored.data.length });
        return res.end(stored.data);
      }
      json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    saved,
    restored,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Report-only scan of the vulnerable image with the DB fetched through `registry`. */
function vulnerableThrough(registry: string): Record<string, string> {
  return {
    'scan-ref': VULNERABLE,
    'fail-on': 'none',
    'trivy-db-repository': `${registry}/trivy-db:2`,
  };
}

describe('scan stage on the testbed', () => {
  it('fails the gate on the vulnerable image, naming the authored CVE', async () => {
    const cwd = tempDir('ws');
    const r = await scan({ 'scan-ref': VULNERABLE }, { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.outputs['scan-result']).toBe('failed');
    const counts = JSON.parse(r.outputs.vulnerabilities);
    expect(counts.CRITICAL).toBeGreaterThanOrEqual(1);
    expect(counts.HIGH).toBeGreaterThanOrEqual(1);
    // The failure message and the annotation both name the CRITICAL CVE.
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
    expect(r.stdout).toMatch(new RegExp(`::error title=${CRITICAL_CVE} \\(CRITICAL\\)::`));
    expect(r.summary).toContain('### Scan ❌ failed');
    expect(r.summary).toMatch(new RegExp(`\\[${CRITICAL_CVE}\\]\\(`));
    expect(r.summary).toContain(`${env.TESTBED_VULN_PACKAGE_VERSION} → 1.0.0-2`);
    // The advisory fixed in the installed version is not a finding.
    expect(r.summary).not.toContain(env.TESTBED_FIXED_CVE);
    expect(r.outputs.sarif).toBe(path.join(cwd, 'out', 'trivy-results.sarif'));
    expect(sarifRuleIds(r.outputs.sarif)).toEqual(expect.arrayContaining([CRITICAL_CVE, HIGH_CVE]));
  });

  it('passes the clean image', async () => {
    const r = await scan({ 'scan-ref': BUSYBOX });
    expect(r.errors).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.outputs['scan-result']).toBe('passed');
    expect(JSON.parse(r.outputs.vulnerabilities)).toEqual({
      UNKNOWN: 0,
      LOW: 0,
      MEDIUM: 0,
      HIGH: 0,
      CRITICAL: 0,
    });
    expect(r.summary).toContain('No findings.');
    expect(sarifRuleIds(r.outputs.sarif)).toEqual([]);
  });

  it('reports but passes with fail-on none', async () => {
    const r = await scan({ 'scan-ref': VULNERABLE, 'fail-on': 'none' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['scan-result']).toBe('passed');
    expect(JSON.parse(r.outputs.vulnerabilities).CRITICAL).toBeGreaterThanOrEqual(1);
    expect(r.warnings.some((w) => w.includes(env.TESTBED_VULN_PACKAGE))).toBe(true);
    expect(r.summary).toContain('report only (fail-on: none)');
    expect(r.summary).toContain(CRITICAL_CVE);
  });

  it('passes when an ignore file sets the CRITICAL aside, and says so', async () => {
    const cwd = tempDir('ws');
    fs.writeFileSync(
      path.join(cwd, 'accepted.trivyignore'),
      `# accepted until a fix ships\n${CRITICAL_CVE}\n`,
    );
    const r = await scan({ 'scan-ref': VULNERABLE, trivyignores: 'accepted.trivyignore' }, { cwd });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.vulnerabilities).CRITICAL).toBe(0);
    expect(r.summary).toContain('1 set aside by ignore files');
    expect(sarifRuleIds(r.outputs.sarif)).not.toContain(CRITICAL_CVE);
  });

  it('leaves the unfixed CRITICAL out with ignore-unfixed; the fixable HIGH still gates', async () => {
    const passing = await scan({ 'scan-ref': VULNERABLE, 'ignore-unfixed': 'true' });
    expect(passing.exitCode).toBe(0);
    expect(JSON.parse(passing.outputs.vulnerabilities)).toMatchObject({
      CRITICAL: 0,
      HIGH: 1,
      LOW: 0,
    });
    expect(passing.summary).toContain('2 without a fixed version (ignore-unfixed)');

    const failing = await scan({
      'scan-ref': VULNERABLE,
      'ignore-unfixed': 'true',
      'fail-on': 'HIGH',
    });
    expect(failing.exitCode).toBe(1);
    const failure = failing.errors.find((e) => e.startsWith('Scan failed')) ?? '';
    expect(failure).toContain(HIGH_CVE);
    expect(failure).not.toContain(CRITICAL_CVE);
  });

  it('creates the PR comment once and updates it on the second run', async () => {
    const api = await GitHubApiStub.start();
    const comments: { id: number; body: string; html_url: string }[] = [
      {
        id: 1,
        body: 'Looks good to me',
        html_url: 'https://github.com/acme/app/pull/7#issuecomment-1',
      },
    ];
    api.route('GET', '/repos/:owner/:repo/issues/:n/comments', () => ({ body: comments }));
    api.route('POST', '/repos/:owner/:repo/issues/:n/comments', (req) => {
      const comment = {
        id: 100 + comments.length,
        body: req.body.body,
        html_url: `https://github.com/acme/app/pull/7#issuecomment-${100 + comments.length}`,
      };
      comments.push(comment);
      return { status: 201, body: comment };
    });
    api.route('PATCH', '/repos/:owner/:repo/issues/comments/:id', (req) => {
      const comment = comments.find((c) => c.id === Number(req.params.id))!;
      comment.body = req.body.body;
      return { body: comment };
    });
    try {
      const cacheDir = tempDir('cache');
      const first = await scan(
        { 'scan-ref': VULNERABLE },
        { cacheDir, event: 'scan-pull-request', api },
      );
      expect(first.outputs['scan-result']).toBe('failed');
      const second = await scan(
        { 'scan-ref': BUSYBOX },
        { cacheDir, event: 'scan-pull-request', api },
      );
      expect(second.outputs['scan-result']).toBe('passed');

      expect(api.calls('POST', '/repos/acme/app/issues/7/comments')).toHaveLength(1);
      expect(api.calls('PATCH', '/repos/acme/app/issues/comments/:id')).toHaveLength(1);
      const ours = comments.filter((c) => c.body.includes('<!-- gantry-scan: ci/ship -->'));
      expect(ours).toHaveLength(1);
      // The second run's verdict replaced the first one's.
      expect(ours[0].body).toContain('Scan ✅ passed');
      expect(ours[0].body).not.toContain(CRITICAL_CVE);
      expect(comments[0].body).toBe('Looks good to me');
    } finally {
      await api.stop();
    }
  });

  it('downloads the DB on a cold cache and nothing on the warm second run', async () => {
    const proxy = await countingRegistryProxy();
    try {
      const cacheDir = tempDir('cache');
      const inputs = vulnerableThrough(proxy.host);
      const cold = await scan(inputs, { cacheDir });
      expect(cold.exitCode).toBe(0);
      const coldDb = proxy.requests.filter((r) => r.includes('/trivy-db/'));
      expect(coldDb.some((r) => /^GET \/v2\/trivy-db\/blobs\/sha256:/.test(r))).toBe(true);
      expect(`${cold.stdout}\n${cold.stderr}`).toContain('Downloading vulnerability DB');

      proxy.requests.length = 0;
      const warm = await scan(inputs, { cacheDir });
      expect(warm.exitCode).toBe(0);
      expect(proxy.requests).toEqual([]);
      expect(`${warm.stdout}\n${warm.stderr}`).not.toContain('Downloading vulnerability DB');
      // Same findings from the cached DB.
      expect(warm.outputs.vulnerabilities).toBe(cold.outputs.vulnerabilities);
    } finally {
      await proxy.stop();
    }
  });

  it('saves the DB to the Actions cache once a day and restores it on a fresh runner', async () => {
    const [proxy, service] = await Promise.all([countingRegistryProxy(), cacheService()]);
    try {
      // The same path on both runs, as on hosted runners; emptied to stand for a new machine.
      const cacheDir = tempDir('cache');
      const inputs = vulnerableThrough(proxy.host);
      const cacheEnv = { ACTIONS_CACHE_URL: service.url, ACTIONS_RUNTIME_TOKEN: 'runtime-token' };
      const first = await scan(inputs, { cacheDir, env: cacheEnv });
      expect(first.exitCode).toBe(0);
      const today = new Date().toISOString().slice(0, 10);
      expect(service.saved).toEqual([
        `gantry-trivy-db-${process.platform}-${process.arch}-${today}`,
      ]);
      expect(proxy.requests.some((r) => r.startsWith('GET /v2/trivy-db/blobs/'))).toBe(true);

      fs.rmSync(cacheDir, { recursive: true, force: true });
      proxy.requests.length = 0;
      const second = await scan(inputs, { cacheDir, env: cacheEnv });
      expect(second.exitCode).toBe(0);
      expect(service.restored).toEqual(service.saved);
      expect(second.stdout).toContain(
        `Restored the vulnerability DB from cache ${service.saved[0]}`,
      );
      // Restored, so nothing came from the registry and nothing new was saved.
      expect(proxy.requests).toEqual([]);
      expect(service.saved).toHaveLength(1);
      expect(second.outputs.vulnerabilities).toBe(first.outputs.vulnerabilities);
    } finally {
      await Promise.all([proxy.stop(), service.stop()]);
    }
  });

  it('falls back to the next DB repository when the first is unreachable', async () => {
    const r = await scan({
      'scan-ref': VULNERABLE,
      'fail-on': 'none',
      'trivy-db-repository': `127.0.0.1:1/nothing:2,${env.TRIVY_DB_REPOSITORY}`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.warnings).toContain(
      'Vulnerability DB download from 127.0.0.1:1/nothing:2 failed; trying the next repository',
    );
    // Findings prove the DB came from the second repository.
    expect(JSON.parse(r.outputs.vulnerabilities).CRITICAL).toBeGreaterThanOrEqual(1);
  });

  it('names trivy-db-repository when no repository answers', async () => {
    const r = await scan({
      'scan-ref': VULNERABLE,
      'trivy-db-repository': '127.0.0.1:1/nothing:2,127.0.0.1:2/nothing:2',
    });
    expect(r.exitCode).toBe(1);
    expect(r.errors.join('\n')).toMatch(
      /Input "trivy-db-repository": the vulnerability DB could not be downloaded from any repository/,
    );
    expect(r.errors.join('\n')).toContain('127.0.0.1:2/nothing:2');
    expect(r.outputs['scan-result']).toBeUndefined();
  });

  it('flags a manifest that runs as root without limits (scan-type config)', async () => {
    const cwd = tempDir('ws');
    fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'scan', 'config'), path.join(cwd, 'k8s'), {
      recursive: true,
    });
    const r = await scan({ 'scan-type': 'config', 'scan-ref': 'k8s', 'fail-on': 'HIGH' }, { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.outputs['scan-result']).toBe('failed');
    const rules = sarifRuleIds(r.outputs.sarif);
    // Runs as root, and no CPU / memory limits (Trivy's built-in Kubernetes checks).
    expect(rules).toEqual(expect.arrayContaining(['KSV012', 'KSV011', 'KSV018']));
    expect(r.stdout).toMatch(/::error title=KSV[^,]+,file=k8s\/deployment\.yaml,line=\d+/);
    expect(r.summary).toContain('k8s/deployment.yaml');
  });

  it('finds a committed secret with scan-type fs and points at its line', async () => {
    const cwd = tempDir('ws');
    fs.mkdirSync(path.join(cwd, 'app'));
    // Built at run time so this file does not itself look like a leaked key.
    const key = ['AKIA', '2E0A8F3B244C9986'].join('');
    fs.writeFileSync(
      path.join(cwd, 'app', 'settings.env'),
      `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\n`,
    );
    const r = await scan({ 'scan-type': 'fs', 'scan-ref': 'app' }, { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /::error title=aws-access-key-id \(CRITICAL\),file=app\/settings\.env,line=2,endLine=2::/,
    );
    expect(r.summary).toContain('app/settings.env:2');
    // Trivy masks the secret; neither the summary nor the SARIF carries it.
    expect(r.summary).not.toContain(key);
    expect(fs.readFileSync(r.outputs.sarif, 'utf8')).not.toContain(key);
  });

  it('scans the image the build stage pushed, pinned by digest', async () => {
    const cwd = tempDir('ws');
    fs.writeFileSync(
      path.join(cwd, 'Dockerfile'),
      `FROM ${VULNERABLE}\nLABEL org.opencontainers.image.title=scan-e2e\n`,
    );
    const repository = `${env.REGISTRY}/e2e/scan-${Date.now().toString(36)}`;
    const r = await runAction({
      inputs: {
        stages: 'build,scan',
        tags: `${repository}:1`,
        push: 'true',
        'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
        'cache-dir': tempDir('cache'),
        'sarif-file': path.join(cwd, 'trivy.sarif'),
      },
      env,
      cwd,
      timeoutMs: 8 * 60_000,
    });
    expect(r.outputs.image).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(r.outputs.image.startsWith(`${repository}@sha256:`)).toBe(true);
    expect(r.summary).toContain(`\`${r.outputs.image}\` (image) scanned with Trivy`);
    // The scan started once the build pushed, yet its log (Trivy's command line and output
    // included) is in the scan's own group, after the build's.
    const groups = r.stdout.split(/^::group::/m);
    const scanGroup = groups.find((group) => group.startsWith('scan')) ?? '';
    const buildGroup = groups.find((group) => group.startsWith('build')) ?? '';
    expect(scanGroup).toContain(`Scanning ${r.outputs.image} (image)`);
    expect(scanGroup).toMatch(/^\[command\].*trivy image /m);
    expect(buildGroup).not.toMatch(/trivy|Scanning/);
    expect(r.outputs['scan-result']).toBe('failed');
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
  });

  it('scans a build that was only loaded into the engine by its image ID', async () => {
    const cwd = tempDir('ws');
    fs.writeFileSync(path.join(cwd, 'Dockerfile'), `FROM ${VULNERABLE}\nLABEL stage=pr\n`);
    const tag = `e2e/scan-local-${Date.now().toString(36)}:pr-7`;
    const r = await runAction({
      inputs: {
        stages: 'build,scan',
        tags: tag,
        load: 'true',
        push: 'false',
        'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
        'cache-dir': tempDir('cache'),
        'sarif-file': path.join(cwd, 'trivy.sarif'),
      },
      env,
      cwd,
      timeoutMs: 8 * 60_000,
    });
    // The engine keeps the loaded image; the test leaves nothing behind.
    spawnSync('docker', ['image', 'rm', '-f', tag], { env: { ...process.env, ...env } });
    const imageId = r.outputs.imageid;
    expect(imageId).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(r.stdout).toMatch(new RegExp(`--image-src docker ${imageId}\\s*$`, 'm'));
    expect(r.summary).toContain(`\`${tag} (${imageId})\` (image) scanned with Trivy`);
    expect(r.outputs['scan-result']).toBe('failed');
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
  });

  it.each([
    [
      { 'scan-ref': 'alpine:3.20', severity: 'HIGH,SEVERE' },
      'Input "severity": unknown severity "SEVERE"; use UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL',
    ],
    [
      { 'scan-ref': 'alpine:3.20', 'scan-type': 'vm' },
      'Input "scan-type": "vm" is not one of image, fs, config, repo, rootfs, sbom',
    ],
    [{ 'scan-type': 'fs', 'scan-ref': 'no/such/dir' }, 'Input "scan-ref": '],
    [
      { 'scan-ref': '' },
      'Input "scan-ref": nothing to scan: set scan-ref to an image reference or run the build stage',
    ],
  ])('rejects %j before running Trivy', async (inputs, message) => {
    const r = await scan(inputs);
    expect(r.exitCode).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].startsWith(message)).toBe(true);
    expect(r.stdout).not.toContain('trivy');
  });
});

/** Serves files (name -> content on disk) over HTTP, like a mirror of the release assets. */
async function releaseMirror(files: Record<string, string>): Promise<{
  url: string;
  served: string[];
  stop: () => Promise<void>;
}> {
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    served.push(req.url ?? '');
    if (!files[name]) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': fs.statSync(files[name]).size });
    fs.createReadStream(files[name]).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/releases`,
    served,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('installing Trivy without one on PATH', () => {
  // The testbed's trivy packed the way Trivy's releases are, and its sha256sum line.
  const assets = tempDir('release');
  const archive = path.join(assets, 'trivy_0.68.2_Linux-64bit.tar.gz');
  const checksums = path.join(assets, 'trivy_0.68.2_checksums.txt');
  const badChecksums = path.join(assets, 'bad', 'trivy_0.68.2_checksums.txt');
  // No trivy reachable except through the mirror.
  const bareEnv = {
    ...env,
    TRIVY: undefined,
    PATH: env.PATH.split(path.delimiter)
      .filter((dir) => !fs.existsSync(path.join(dir, 'trivy')))
      .join(path.delimiter),
  };

  beforeAll(() => {
    fs.mkdirSync(path.join(assets, 'pack'));
    fs.copyFileSync(env.TRIVY, path.join(assets, 'pack', 'trivy'));
    fs.chmodSync(path.join(assets, 'pack', 'trivy'), 0o755);
    fs.writeFileSync(path.join(assets, 'pack', 'LICENSE'), 'Apache-2.0\n');
    const tar = spawnSync('tar', [
      '-C',
      path.join(assets, 'pack'),
      '-I',
      'gzip -1', // fast: the binary is large and the test is about the checksum
      '-cf',
      archive,
      'trivy',
      'LICENSE',
    ]);
    expect(tar.status).toBe(0);
    const sum = spawnSync('sha256sum', [path.basename(archive)], { cwd: assets, encoding: 'utf8' });
    fs.writeFileSync(checksums, sum.stdout);
    fs.mkdirSync(path.dirname(badChecksums));
    fs.writeFileSync(badChecksums, `${'0'.repeat(64)}  ${path.basename(archive)}\n`);
  });

  it('downloads the release archive, verifies its checksum and scans with it', async () => {
    const mirror = await releaseMirror({
      [path.basename(archive)]: archive,
      [path.basename(checksums)]: checksums,
    });
    try {
      const cwd = tempDir('ws');
      const r = await runAction({
        inputs: {
          stages: 'scan',
          'scan-ref': BUSYBOX,
          'trivy-db-repository': env.TRIVY_DB_REPOSITORY,
          'cache-dir': tempDir('cache'),
          'sarif-file': path.join(cwd, 'trivy.sarif'),
        },
        env: { ...bareEnv, GANTRY_TRIVY_RELEASES_URL: mirror.url },
        cwd,
      });
      expect(r.exitCode).toBe(0);
      expect(mirror.served).toEqual([
        '/releases/v0.68.2/trivy_0.68.2_checksums.txt',
        '/releases/v0.68.2/trivy_0.68.2_Linux-64bit.tar.gz',
      ]);
      expect(r.stdout).toContain('Checksum verified: trivy_0.68.2_Linux-64bit.tar.gz');
      expect(r.stdout).toMatch(
        /Trivy 0\.68\.2 from release archive: .*tool-cache\/trivy\/0\.68\.2\/x64\/trivy/,
      );
      expect(r.outputs['scan-result']).toBe('passed');
    } finally {
      await mirror.stop();
    }
  });

  it('refuses an archive that does not match the published checksum', async () => {
    const mirror = await releaseMirror({
      [path.basename(archive)]: archive,
      [path.basename(badChecksums)]: badChecksums,
    });
    try {
      const r = await runAction({
        inputs: { stages: 'scan', 'scan-ref': BUSYBOX, 'cache-dir': tempDir('cache') },
        env: { ...bareEnv, GANTRY_TRIVY_RELEASES_URL: mirror.url },
        cwd: tempDir('ws'),
      });
      expect(r.exitCode).toBe(1);
      expect(r.errors.join('\n')).toMatch(
        /does not match Trivy's published checksum .*refusing to run it/,
      );
      expect(r.outputs['scan-result']).toBeUndefined();
    } finally {
      await mirror.stop();
    }
  });
});

/** A pull_request event whose base commit is `baseSha` (the PR's own commit is checked out). */
function pullRequestEvent(baseSha: string, headSha: string): EventFixture {
  return {
    eventName: 'pull_request',
    env: { GITHUB_REF: 'refs/pull/7/merge', GITHUB_SHA: headSha, GITHUB_BASE_REF: 'main' },
    payload: {
      action: 'synchronize',
      number: 7,
      pull_request: {
        number: 7,
        head: { ref: 'add-ignore', sha: headSha, repo: { full_name: 'acme/app' } },
        base: { ref: 'main', sha: baseSha },
      },
      repository: { name: 'app', full_name: 'acme/app', owner: { login: 'acme' } },
    },
  };
}

/** A git checkout: a base commit, then the pull request's commit with `prFiles` on top. */
function pullRequestCheckout(
  baseFiles: Record<string, string>,
  prFiles: Record<string, string>,
): { cwd: string; baseSha: string; headSha: string } {
  const cwd = tempDir('pr');
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-C', cwd, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'a',
        GIT_AUTHOR_EMAIL: 'a@example.com',
        GIT_COMMITTER_NAME: 'a',
        GIT_COMMITTER_EMAIL: 'a@example.com',
      },
    });
    expect(r.status).toBe(0);
    return r.stdout.trim();
  };
  git('init', '-q', '-b', 'main');
  const commit = (files: Record<string, string>, message: string) => {
    for (const [file, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(cwd, file), content);
    }
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const baseSha = commit({ 'README.md': 'app\n', ...baseFiles }, 'base');
  const headSha = commit(prFiles, 'pull request');
  return { cwd, baseSha, headSha };
}

describe('the gate follows Gantry inputs only (issue 15, item 1)', () => {
  const listsCritical = tempDir('ignorefile');
  fs.writeFileSync(path.join(listsCritical, 'ignore'), `${CRITICAL_CVE}\n`);

  it.each<[string, string]>([
    ['TRIVY_SEVERITY', 'LOW'],
    ['TRIVY_IGNORE_UNFIXED', 'true'],
    ['TRIVY_SKIP_FILES', '/var/lib/dpkg/status'],
    ['TRIVY_SKIP_DIRS', '/var/lib/dpkg'],
    ['TRIVY_PKG_TYPES', 'library'],
    ['TRIVY_IGNOREFILE', path.join(listsCritical, 'ignore')],
  ])('%s=%s in the environment neither opens the gate nor goes unsaid', async (name, value) => {
    const r = await scan(
      { 'scan-ref': VULNERABLE, 'fail-on': 'CRITICAL' },
      { env: { [name]: value } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.outputs['scan-result']).toBe('failed');
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
    expect(r.warnings).toContainEqual(
      expect.stringMatching(`^Set aside: ${name} from the environment`),
    );
    expect(r.summary).toContain('**Set aside**');
    expect(r.summary).toContain(name.replace(/_/g, '\\_'));
  });

  it('does not let a pull request set its own CVE aside with a .trivyignore it adds', async () => {
    const { cwd, baseSha, headSha } = pullRequestCheckout(
      {},
      { '.trivyignore': `${CRITICAL_CVE}\n` },
    );
    const r = await scan(
      { 'scan-ref': VULNERABLE, 'pr-comment': 'false' },
      { cwd, event: pullRequestEvent(baseSha, headSha) },
    );
    expect(r.exitCode).toBe(1);
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
    expect(r.warnings).toContainEqual(
      expect.stringMatching(/^Set aside: \.trivyignore was not applied: this pull request adds it/),
    );
    expect(r.summary).toContain('this pull request adds it');
    expect(JSON.parse(r.outputs.vulnerabilities).CRITICAL).toBeGreaterThanOrEqual(1);
  });

  it("applies the base branch's version of an ignore file the pull request edits, naming the rule", async () => {
    const { cwd, baseSha, headSha } = pullRequestCheckout(
      { '.trivyignore': `# accepted\n${HIGH_CVE}\n` },
      { '.trivyignore': `# accepted\n${HIGH_CVE}\n${CRITICAL_CVE}\n` },
    );
    const r = await scan(
      { 'scan-ref': VULNERABLE, 'fail-on': 'HIGH', 'pr-comment': 'false' },
      { cwd, event: pullRequestEvent(baseSha, headSha) },
    );
    expect(r.exitCode).toBe(1);
    const failure = r.errors.find((e) => e.startsWith('Scan failed')) ?? '';
    expect(failure).toContain(CRITICAL_CVE);
    expect(failure).not.toContain(HIGH_CVE);
    expect(r.summary).toContain("this pull request's changes to it did not");
    // The HIGH is set aside by line 2 of the base branch's file, and the summary says so.
    expect(r.summary).toMatch(
      new RegExp(
        // The file name is the repository's text, shown inert (its parentheses escaped).
        `\\| \\[${HIGH_CVE}\\]\\([^)]*\\) \\| .* \\| \\.trivyignore \\\\?\\(base branch ${baseSha.slice(0, 7)}\\\\?\\):2 \\|`,
      ),
    );
  });

  it('reads the base branch through the contents API when the checkout lacks the commit', async () => {
    const { cwd, headSha } = pullRequestCheckout({}, { '.trivyignore': `${CRITICAL_CVE}\n` });
    const api = await GitHubApiStub.start();
    const missingBase = 'f'.repeat(40);
    api.route('GET', '/repos/:owner/:repo/contents/:path', () => ({
      status: 404,
      body: { message: 'Not Found' },
    }));
    try {
      const r = await scan(
        { 'scan-ref': VULNERABLE, 'pr-comment': 'false' },
        { cwd, event: pullRequestEvent(missingBase, headSha), api },
      );
      expect(r.exitCode).toBe(1);
      const [call] = api.calls('GET', '/repos/acme/app/contents/:path');
      expect(call.path).toBe('/repos/acme/app/contents/.trivyignore');
      expect(call.query.get('ref')).toBe(missingBase);
      expect(r.summary).toContain('this pull request adds it');
    } finally {
      await api.stop();
    }
  });

  it('trusts the pull request with trust-pr-policy-files, and lists what it set aside', async () => {
    const { cwd, baseSha, headSha } = pullRequestCheckout(
      {},
      { '.trivyignore': `${CRITICAL_CVE}\n` },
    );
    const r = await scan(
      { 'scan-ref': VULNERABLE, 'pr-comment': 'false', 'trust-pr-policy-files': 'true' },
      { cwd, event: pullRequestEvent(baseSha, headSha) },
    );
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatch(
      new RegExp(`\\| \\[${CRITICAL_CVE}\\]\\([^)]*\\) \\| .* \\| \\.trivyignore:1 \\|`),
    );
    expect(r.stdout).toContain(`Set aside by .trivyignore:1: ${CRITICAL_CVE} (CRITICAL)`);
  });
});

describe('hostile text from the scanned files (issue 15, item 5)', () => {
  it('posts a PR comment in which matches and file names are inert', async () => {
    const cwd = tempDir('ws');
    const dir = path.join(cwd, 'app', '<img src=x onerror=alert(1)>');
    fs.mkdirSync(dir, { recursive: true });
    const key = ['AKIA', '2E0A8F3B244C9986'].join('');
    fs.writeFileSync(
      path.join(dir, 'settings.env'),
      `AWS_ACCESS_KEY_ID=${key} <details open><img src=https://evil.example/x.png> ` +
        `[win](https://evil.example/login) x](https://evil.example) @acme/security #1 <!-- hide\n`,
    );
    const api = await GitHubApiStub.start();
    api.route('GET', '/repos/:owner/:repo/issues/:n/comments', () => ({ body: [] }));
    api.route('POST', '/repos/:owner/:repo/issues/:n/comments', (req) => ({
      status: 201,
      body: { id: 1, body: req.body.body, html_url: 'https://github.com/acme/app/pull/7#c1' },
    }));
    try {
      const r = await scan(
        { 'scan-type': 'fs', 'scan-ref': 'app', 'fail-on': 'none' },
        { cwd, event: 'scan-pull-request', api },
      );
      expect(r.exitCode).toBe(0);
      const [posted] = api.calls('POST', '/repos/acme/app/issues/7/comments');
      const body: string = posted.body.body;
      expect(body).toContain('aws-access-key-id');
      // The hostile text is there, as text.
      expect(body).toContain('&lt;details open&gt;');
      // Gantry's own marker is the only comment and the only HTML besides its <sub> footer.
      expect(body.split('<!--')).toHaveLength(2);
      expect(body).not.toMatch(/<(img|details)/i);
      expect(body).not.toMatch(/\]\(https:\/\/evil/);
      expect(body).not.toMatch(/@acme/);
      expect(body).not.toMatch(/(^|[^\\&])#1\b/);
      expect(body).not.toContain(key);
      expect(r.summary).not.toMatch(/<(img|details)/i);
    } finally {
      await api.stop();
    }
  });
});

describe('a DB repository that never answers (issue 15, item 9)', () => {
  it('is given up after trivy-db-timeout, its Trivy killed, and the next one used', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const r = await scan(
        {
          'scan-ref': VULNERABLE,
          'fail-on': 'none',
          'trivy-db-timeout': '5s',
          'trivy-db-repository': `127.0.0.1:${port}/trivy-db:2,${env.TRIVY_DB_REPOSITORY}`,
        },
        { timeoutMs: 120_000 },
      );
      expect(sockets.length).toBeGreaterThan(0); // Trivy did connect to it
      expect(r.exitCode).toBe(0);
      expect(r.warnings).toContainEqual(
        expect.stringContaining(
          `Vulnerability DB download from 127.0.0.1:${port}/trivy-db:2 got no answer within 5 s`,
        ),
      );
      expect(JSON.parse(r.outputs.vulnerabilities).CRITICAL).toBeGreaterThanOrEqual(1);
      // No Trivy is left behind still talking to the silent repository.
      const left = spawnSync('pgrep', ['-f', `127.0.0.1:${port}/trivy-db`]);
      expect(left.status).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('trivy-action inputs pasted unchanged (issue 11)', () => {
  it('exit-code 0 never fails; exit-code 1 with severity CRITICAL,HIGH fails on those', async () => {
    const never = await scan({ 'scan-ref': VULNERABLE, 'exit-code': '0' });
    expect(never.exitCode).toBe(0);
    expect(never.summary).toContain('report only');
    const high = await scan({
      'scan-ref': VULNERABLE,
      'exit-code': '1',
      severity: 'CRITICAL,HIGH',
      'ignore-unfixed': 'true',
    });
    expect(high.exitCode).toBe(1);
    expect(high.errors.find((e) => e.startsWith('Scan failed'))).toContain(HIGH_CVE);
  });

  it('writes format json and sarif to output, SARIF with every severity unless limited', async () => {
    const cwd = tempDir('ws');
    const json = await scan(
      {
        'scan-ref': VULNERABLE,
        'fail-on': 'none',
        format: 'json',
        output: 'out/trivy.json',
        severity: 'CRITICAL',
      },
      { cwd },
    );
    expect(json.exitCode).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(cwd, 'out', 'trivy.json'), 'utf8'));
    const ids = doc.Results.flatMap((res: { Vulnerabilities?: { VulnerabilityID: string }[] }) =>
      (res.Vulnerabilities ?? []).map((v) => v.VulnerabilityID),
    );
    expect(ids).toContain(CRITICAL_CVE);
    expect(ids).not.toContain(HIGH_CVE);

    const sarif = await scan(
      {
        'scan-ref': VULNERABLE,
        'fail-on': 'none',
        format: 'sarif',
        output: 'all.sarif',
        severity: 'CRITICAL',
      },
      { cwd },
    );
    expect(sarif.exitCode).toBe(0);
    expect(sarifRuleIds(path.join(cwd, 'all.sarif'))).toEqual(
      expect.arrayContaining([CRITICAL_CVE, HIGH_CVE]),
    );
    const limited = await scan(
      {
        'scan-ref': VULNERABLE,
        'fail-on': 'none',
        format: 'sarif',
        output: 'limited.sarif',
        severity: 'CRITICAL',
        'limit-severities-for-sarif': 'true',
      },
      { cwd },
    );
    expect(limited.exitCode).toBe(0);
    expect(sarifRuleIds(path.join(cwd, 'limited.sarif'))).not.toContain(HIGH_CVE);
  });

  it('format table without output prints the table in the log', async () => {
    const r = await scan({ 'scan-ref': VULNERABLE, 'fail-on': 'none', format: 'table' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`│\\s*${env.TESTBED_VULN_PACKAGE}\\s*│\\s*${CRITICAL_CVE}`),
    );
  });

  it('format github submits the dependency snapshot with github-pat', async () => {
    const api = await GitHubApiStub.start();
    api.route('POST', '/repos/:owner/:repo/dependency-graph/snapshots', () => ({
      status: 201,
      body: { id: 42, created_at: '2026-12-01T00:00:00Z', result: 'SUCCESS', message: 'ok' },
    }));
    try {
      const r = await scan(
        {
          'scan-ref': VULNERABLE,
          'fail-on': 'none',
          format: 'github',
          'github-pat': 'ghp_patForSnapshots0123',
        },
        { api },
      );
      expect(r.exitCode).toBe(0);
      const [call] = api.calls('POST', '/repos/acme/app/dependency-graph/snapshots');
      expect(call.headers.authorization).toBe('token ghp_patForSnapshots0123');
      expect(call.body.detector.name).toBe('trivy');
      expect(JSON.stringify(call.body.manifests)).toContain(env.TESTBED_VULN_PACKAGE);
      expect(r.stdout).toContain('Submitted the dependency snapshot 42');
      // Masked first (the runner hides it from then on), and never printed otherwise.
      expect(r.masked).toContain('ghp_patForSnapshots0123');
      const printed = r.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      expect(printed.join('\n')).not.toContain('ghp_patForSnapshots0123');
    } finally {
      await api.stop();
    }
  });

  it('scans an SBOM (scan-type sbom) made from the vulnerable image', async () => {
    const cwd = tempDir('ws');
    const made = await scan(
      { 'scan-ref': VULNERABLE, 'fail-on': 'none', format: 'cyclonedx', output: 'sbom.cdx.json' },
      { cwd },
    );
    expect(made.exitCode).toBe(0);
    const r = await scan({ 'scan-type': 'sbom', 'scan-ref': 'sbom.cdx.json' }, { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.errors.some((e) => e.startsWith('Scan failed') && e.includes(CRITICAL_CVE))).toBe(
      true,
    );
  });

  it('scans a root filesystem (scan-type rootfs) with skip-files', async () => {
    const cwd = tempDir('ws');
    fs.mkdirSync(path.join(cwd, 'root', 'app'), { recursive: true });
    const key = ['AKIA', '2E0A8F3B244C9986'].join('');
    fs.writeFileSync(path.join(cwd, 'root', 'app', 'a.env'), `AWS_ACCESS_KEY_ID=${key}\n`);
    fs.writeFileSync(path.join(cwd, 'root', 'app', 'b.env'), `AWS_ACCESS_KEY_ID=${key}\n`);
    const r = await scan(
      { 'scan-type': 'rootfs', 'scan-ref': 'root', 'skip-files': 'app/b.env' },
      { cwd },
    );
    expect(r.exitCode).toBe(1);
    expect(r.summary).toContain('root/app/a.env');
    expect(r.summary).not.toContain('b.env');
  });
});
