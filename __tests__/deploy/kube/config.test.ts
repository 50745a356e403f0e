import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { apiTargetFromEnv, apiTargetOf } from '../../../src/stages/deploy/kube/config';

const CA = Buffer.from('ca bytes').toString('base64');

function kubeconfig(
  cluster: Record<string, unknown>,
  user: Record<string, unknown> = { token: 't0ken' },
  context: Record<string, unknown> = {},
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx',
    clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...context } }],
  });
}

describe('apiTargetOf: what a direct request needs, or why kubectl keeps the call', () => {
  it.each([
    ['a token', {}, { token: 'abc' }, 'Bearer abc'],
    [
      'basic credentials',
      {},
      { username: 'me', password: 'pw' },
      `Basic ${Buffer.from('me:pw').toString('base64')}`,
    ],
    [
      'a client certificate',
      {},
      { 'client-certificate-data': CA, 'client-key-data': CA },
      undefined,
    ],
  ])('takes %s', (_what, cluster, user, authorization) => {
    const result = apiTargetOf(
      kubeconfig({ 'certificate-authority-data': CA, ...cluster }, user),
      '/',
    );
    expect('target' in result).toBe(true);
    if (!('target' in result)) return;
    expect(result.target.server).toBe('https://10.0.0.1:6443');
    expect(result.target.ca?.toString()).toBe('ca bytes');
    expect(result.target.authorization).toBe(authorization);
  });

  it.each([
    ['exec', { exec: { command: 'aws' } }, {}, 'user exec'],
    ['auth-provider', { 'auth-provider': { name: 'oidc' } }, {}, 'user auth-provider'],
    ['impersonation', { token: 't', as: 'admin' }, {}, 'user as'],
    ['a proxy', { token: 't' }, { 'proxy-url': 'http://proxy:3128' }, 'cluster proxy-url'],
  ])('leaves %s to kubectl', (_what, user, cluster, reason) => {
    expect(apiTargetOf(kubeconfig(cluster, user), '/')).toEqual({ unsupported: reason });
  });

  it('takes the context namespace, else default', () => {
    const own = apiTargetOf(kubeconfig({}, { token: 't' }, { namespace: 'team' }), '/');
    const none = apiTargetOf(kubeconfig({}, { token: 't' }), '/');
    expect('target' in own && own.target.namespace).toBe('team');
    expect('target' in none && none.target.namespace).toBe('default');
  });

  it('reads files relative to the kubeconfig, and a token file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcfg-'));
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'file ca');
    fs.writeFileSync(path.join(dir, 'token'), 'filetoken\n');
    const result = apiTargetOf(
      kubeconfig(
        { 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true },
        { tokenFile: 'token' },
      ),
      dir,
    );
    fs.rmSync(dir, { recursive: true });
    expect('target' in result && result.target).toMatchObject({
      insecure: true,
      authorization: 'Bearer filetoken',
    });
    expect('target' in result && result.target.ca?.toString()).toBe('file ca');
  });

  it('says why when the context or cluster is missing', () => {
    expect(apiTargetOf('current-context: x\ncontexts: []\n', '/')).toEqual({
      unsupported: 'no context x',
    });
    expect(apiTargetOf('{}', '/')).toEqual({ unsupported: 'no current-context' });
    expect(apiTargetOf(': : :\n\t- [', '/')).toEqual({
      unsupported: 'the kubeconfig does not parse here',
    });
  });
});

describe('apiTargetFromEnv', () => {
  it.each([
    [{ KUBECONFIG: `/a${path.delimiter}/b` }, 'KUBECONFIG names several files'],
    [{ KUBECONFIG: '/nonexistent/config' }, 'cannot read /nonexistent/config'],
    [{ HTTPS_PROXY: 'http://p:1', KUBECONFIG: '/x' }, 'HTTPS_PROXY is set'],
  ])('leaves %j to kubectl', (env, reason) => {
    expect(apiTargetFromEnv(env)).toEqual({ unsupported: reason });
  });

  it('reads the KUBECONFIG file, with --insecure-skip-tls-verify passed on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcfg-'));
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, kubeconfig({}, { token: 't' }));
    const result = apiTargetFromEnv({ KUBECONFIG: file }, { insecure: true });
    fs.rmSync(dir, { recursive: true });
    expect('target' in result && result.target.insecure).toBe(true);
  });
});
