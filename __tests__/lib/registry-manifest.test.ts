import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  bearerChallenge,
  readManifest,
  registryEndpoint,
  storedCredentials,
} from '../../src/lib/registry-manifest';

describe('registryEndpoint: where a pull goes', () => {
  it.each([
    [undefined, 'https://registry-1.docker.io', 'https://index.docker.io/v1/'],
    ['docker.io', 'https://registry-1.docker.io', 'https://index.docker.io/v1/'],
    ['ghcr.io', 'https://ghcr.io', 'ghcr.io'],
    ['Registry.Example:5443', 'https://registry.example:5443', 'registry.example:5443'],
    ['127.0.0.1:5000', 'http://127.0.0.1:5000', '127.0.0.1:5000'],
    ['localhost:5000', 'http://localhost:5000', 'localhost:5000'],
  ])('%s', (domain, base, configKey) => {
    expect(registryEndpoint(domain)).toEqual({ base, configKey });
  });
});

describe('storedCredentials: what docker login left in the config', () => {
  const auth = Buffer.from('ci:s3cret').toString('base64');
  it.each([
    ['inline auth', { auths: { 'ghcr.io': { auth } } }, 'ci:s3cret'],
    ['under an https:// key', { auths: { 'https://ghcr.io': { auth } } }, 'ci:s3cret'],
    ['username and password', { auths: { 'ghcr.io': { username: 'ci', password: 'p' } } }, 'ci:p'],
    ['a helper for this registry', { credHelpers: { 'ghcr.io': 'ecr-login' } }, null],
    ['a store for all registries', { auths: { 'ghcr.io': {} }, credsStore: 'pass' }, null],
    ['nothing: anonymous', { auths: { 'quay.io': { auth } } }, undefined],
  ])('%s', (_case, config, expected) => {
    expect(storedCredentials(config, 'ghcr.io')).toBe(expected);
  });
});

describe('bearerChallenge', () => {
  it('reads realm, service and scope', () => {
    expect(
      bearerChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a/b:pull',
    });
  });
  it.each([['Basic realm="x"'], [''], ['Bearer service="x"']])('ignores %j', (header) => {
    expect(bearerChallenge(header)).toBeUndefined();
  });
});

describe('readManifest against a stand-in registry on 127.0.0.1', () => {
  const manifest = JSON.stringify({ schemaVersion: 2, layers: [{ size: 3 }] });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  let server: http.Server;
  let port = 0;
  let mode: 'anonymous' | 'token' | 'wrong-body' = 'anonymous';
  const seen: string[] = [];
  let configDir = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url?.startsWith('/token')) {
        const ok = req.headers.authorization === `Basic ${Buffer.from('ci:pw').toString('base64')}`;
        res.writeHead(ok ? 200 : 401).end(ok ? JSON.stringify({ token: 'T' }) : '');
        return;
      }
      if (req.url !== `/v2/team/app/manifests/${digest}`) return void res.writeHead(404).end();
      if (mode === 'token' && req.headers.authorization !== 'Bearer T') {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="stand-in"`,
          })
          .end();
        return;
      }
      res.writeHead(200).end(mode === 'wrong-body' ? `${manifest} ` : manifest);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-docker-config-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(configDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen.length = 0;
    fs.rmSync(path.join(configDir, 'config.json'), { force: true });
  });
  const env = () => ({ DOCKER_CONFIG: configDir });
  const config = (value: object) =>
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(value));

  it('reads it anonymously', async () => {
    mode = 'anonymous';
    expect(await readManifest(`127.0.0.1:${port}/team/app@${digest}`, env())).toBe(manifest);
  });

  it("exchanges the stored credentials for a token when the registry asks (the registry's realm)", async () => {
    mode = 'token';
    config({ auths: { [`127.0.0.1:${port}`]: { auth: Buffer.from('ci:pw').toString('base64') } } });
    expect(await readManifest(`127.0.0.1:${port}/team/app@${digest}`, env())).toBe(manifest);
    expect(seen).toContain(
      `/token?service=stand-in&scope=repository%3Ateam%2Fapp%3Apull Basic ${Buffer.from('ci:pw').toString('base64')}`,
    );
    expect(seen[seen.length - 1]).toBe(`/v2/team/app/manifests/${digest} Bearer T`);
  });

  it('gives up (for buildx to ask) when the token is refused, the answer is not the digest, or a helper holds the credentials', async () => {
    mode = 'token';
    expect(await readManifest(`127.0.0.1:${port}/team/app@${digest}`, env())).toBeUndefined();
    mode = 'wrong-body';
    expect(await readManifest(`127.0.0.1:${port}/team/app@${digest}`, env())).toBeUndefined();
    mode = 'anonymous';
    config({ credsStore: 'desktop' });
    seen.length = 0;
    expect(await readManifest(`127.0.0.1:${port}/team/app@${digest}`, env())).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('needs a sha256 digest', async () => {
    expect(await readManifest(`127.0.0.1:${port}/team/app:latest`, env())).toBeUndefined();
  });
});
