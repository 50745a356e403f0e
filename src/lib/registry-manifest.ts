// One manifest read from an OCI registry the way a pull reads it (GET /v2/<name>/manifests/
// <digest>), without starting a process: anonymously, or with what `docker login` stored in the
// Docker config itself (basic credentials, exchanged for a token when the registry asks for
// one). Anything this does not cover (a credential helper, a registry reached only through the
// builder's own settings, an answer that does not match its digest) gives undefined, and the
// caller asks `docker buildx imagetools`, which knows all of that.
import { HttpClient } from '@actions/http-client';
import { createHash } from 'crypto';
import { readDockerConfig, type DockerConfig } from './docker-config';
import { DOCKER_HUB, parseImageReference } from './image-reference';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
/** Docker Hub's registry host, and the key `docker login` stores its credentials under. */
const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const TIMEOUT_MS = 5_000;

/** Where a pull goes: the registry's base URL and the key its credentials are stored under. */
export function registryEndpoint(domain: string | undefined): { base: string; configKey: string } {
  const host = (domain ?? DOCKER_HUB).toLowerCase();
  if (host === DOCKER_HUB || host === 'index.docker.io')
    return { base: `https://${DOCKER_HUB_REGISTRY}`, configKey: DOCKER_HUB_CONFIG_KEY };
  // Docker itself talks plain HTTP to a registry on the loopback interface.
  const name = host.replace(/:\d+$/, '');
  const loopback = name === 'localhost' || /^127\./.test(name) || name === '[::1]';
  return { base: `${loopback ? 'http' : 'https'}://${host}`, configKey: host };
}

/**
 * `user:password` for the registry from the Docker config; null when the credentials are kept
 * by a helper (only a process can read them); undefined when there are none (anonymous).
 */
export function storedCredentials(
  config: DockerConfig,
  configKey: string,
): string | null | undefined {
  const entry =
    config.auths?.[configKey] ??
    config.auths?.[`https://${configKey}`] ??
    config.auths?.[`http://${configKey}`];
  if (entry?.auth) return Buffer.from(entry.auth, 'base64').toString('utf8');
  if (entry?.username && entry.password) return `${entry.username}:${entry.password}`;
  if (config.credHelpers?.[configKey] || config.credsStore) return null;
  return undefined;
}

/** The parameters of a `Bearer realm="…",service="…",scope="…"` challenge. */
export function bearerChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]] = match[2];
  return params.realm ? params : undefined;
}

/** The manifest `name@digest` points at, its bytes checked against the digest; see above. */
export async function readManifest(
  pinned: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const ref = parseImageReference(pinned);
  if (!ref?.digest?.startsWith('sha256:')) return undefined;
  const { base, configKey } = registryEndpoint(ref.domain);
  const repository =
    ref.domain === undefined && !ref.path.includes('/') ? `library/${ref.path}` : ref.path;
  const credentials = storedCredentials(readDockerConfig(env), configKey);
  if (credentials === null) return undefined;
  const client = new HttpClient('gantry', [], { socketTimeout: TIMEOUT_MS, keepAlive: false });
  try {
    const url = `${base}/v2/${repository}/manifests/${ref.digest}`;
    const basic = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
    let response = await client.get(url, {
      accept: ACCEPT,
      ...(basic ? { authorization: basic } : {}),
    });
    if (response.message.statusCode === 401) {
      const challenge = bearerChallenge(String(response.message.headers['www-authenticate'] ?? ''));
      await response.readBody();
      if (!challenge) return undefined;
      const tokenUrl = new URL(challenge.realm);
      if (challenge.service) tokenUrl.searchParams.set('service', challenge.service);
      tokenUrl.searchParams.set('scope', challenge.scope ?? `repository:${repository}:pull`);
      const tokenResponse = await client.get(
        tokenUrl.toString(),
        basic ? { authorization: basic } : {},
      );
      if (tokenResponse.message.statusCode !== 200) return undefined;
      const answer = JSON.parse(await tokenResponse.readBody()) as {
        token?: string;
        access_token?: string;
      };
      const token = answer.token ?? answer.access_token;
      if (!token) return undefined;
      response = await client.get(url, { accept: ACCEPT, authorization: `Bearer ${token}` });
    }
    const body = await response.readBody();
    if (response.message.statusCode !== 200) return undefined;
    const actual = `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`;
    return actual === ref.digest ? body : undefined;
  } catch {
    return undefined;
  } finally {
    client.dispose();
  }
}
