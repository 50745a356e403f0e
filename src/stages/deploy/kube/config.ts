// Which API server kubectl would talk to, and how it would prove who it is, read from the same
// kubeconfig kubectl reads: so the deploy's small requests (reads, leases, rollout status) can go
// to the API server directly instead of starting a kubectl process each. Only what is fully
// understood here is taken; anything else (credential plugins, impersonation, proxies, merged
// kubeconfig files, in-cluster config) leaves every call to kubectl, which knows them all.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

export interface ApiTarget {
  /** `https://host:port[/prefix]`, without a trailing slash. */
  server: string;
  /** The context's namespace, or `default`: where objects without one land. */
  namespace: string;
  ca?: Buffer;
  insecure: boolean;
  /** The name the server's certificate is checked against, when not the server's host. */
  serverName?: string;
  cert?: Buffer;
  key?: Buffer;
  /** `Authorization` header value (bearer token or basic credentials). */
  authorization?: string;
}

export type ApiTargetResult = { target: ApiTarget } | { unsupported: string };

/* eslint-disable @typescript-eslint/no-explicit-any -- kubeconfig is open-ended YAML */
type Entry = Record<string, any>;

function named(list: unknown, name: string): Entry | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as Entry[]).find((item) => item?.name === name);
}

/** `*-data` (base64) or a file path, resolved against the kubeconfig's directory. */
function material(entry: Entry, field: string, dir: string): Buffer | undefined {
  const data = entry[`${field}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const file = entry[field];
  if (typeof file === 'string' && file !== '') return fs.readFileSync(path.resolve(dir, file));
  return undefined;
}

// User fields that change who the request is from or how the credential is obtained.
const UNSUPPORTED_USER_FIELDS = [
  'exec',
  'auth-provider',
  'as',
  'as-uid',
  'as-groups',
  'as-user-extra',
];
const UNSUPPORTED_CLUSTER_FIELDS = ['proxy-url'];

/**
 * The API target of kubeconfig content (`dir` resolves its relative paths), for the
 * current context; `unsupported` says why kubectl keeps every call.
 */
export function apiTargetOf(
  content: string,
  dir: string,
  options: { insecure?: boolean } = {},
): ApiTargetResult {
  let config: Entry;
  try {
    config = parseYaml(content) as Entry;
  } catch {
    return { unsupported: 'the kubeconfig does not parse here' };
  }
  if (typeof config !== 'object' || config === null)
    return { unsupported: 'the kubeconfig is empty' };
  const contextName = config['current-context'];
  if (typeof contextName !== 'string' || contextName === '')
    return { unsupported: 'no current-context' };
  const context = named(config.contexts, contextName)?.context as Entry | undefined;
  if (!context) return { unsupported: `no context ${contextName}` };
  const cluster = named(config.clusters, context.cluster)?.cluster as Entry | undefined;
  const user = (named(config.users, context.user)?.user ?? {}) as Entry;
  if (!cluster || typeof cluster.server !== 'string')
    return { unsupported: 'the context has no cluster server' };
  for (const field of UNSUPPORTED_USER_FIELDS)
    if (user[field] !== undefined) return { unsupported: `user ${field}` };
  for (const field of UNSUPPORTED_CLUSTER_FIELDS)
    if (cluster[field] !== undefined) return { unsupported: `cluster ${field}` };
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return { unsupported: 'the cluster server is not a URL' };
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    return { unsupported: `cluster server scheme ${server.protocol}` };
  const target: ApiTarget = {
    server: cluster.server.replace(/\/+$/, ''),
    namespace:
      typeof context.namespace === 'string' && context.namespace !== ''
        ? context.namespace
        : 'default',
    insecure: options.insecure === true || cluster['insecure-skip-tls-verify'] === true,
    ca: material(cluster, 'certificate-authority', dir),
    cert: material(user, 'client-certificate', dir),
    key: material(user, 'client-key', dir),
  };
  if (typeof cluster['tls-server-name'] === 'string')
    target.serverName = cluster['tls-server-name'];
  const token =
    typeof user.token === 'string' && user.token !== ''
      ? user.token
      : typeof user.tokenFile === 'string' && user.tokenFile !== ''
        ? fs.readFileSync(path.resolve(dir, user.tokenFile), 'utf8').trim()
        : undefined;
  if (token) target.authorization = `Bearer ${token}`;
  else if (typeof user.username === 'string' && typeof user.password === 'string')
    target.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  return { target };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY'];

/**
 * The API target for the kubeconfig kubectl would use under `env` (KUBECONFIG, else
 * ~/.kube/config). A list of files (merged by kubectl), none, or a proxy in the environment is
 * left to kubectl.
 */
export function apiTargetFromEnv(
  env: NodeJS.ProcessEnv,
  options: { insecure?: boolean } = {},
): ApiTargetResult {
  const proxy = PROXY_VARIABLES.find((name) => (env[name] ?? '') !== '');
  if (proxy) return { unsupported: `${proxy} is set` };
  const configured = env.KUBECONFIG ?? '';
  if (configured.includes(path.delimiter)) return { unsupported: 'KUBECONFIG names several files' };
  const file = configured !== '' ? configured : path.join(os.homedir(), '.kube', 'config');
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    return { unsupported: `cannot read ${file}` };
  }
  try {
    return apiTargetOf(content, path.dirname(file), options);
  } catch (err) {
    return { unsupported: `a file the kubeconfig names: ${(err as Error).message}` };
  }
}
