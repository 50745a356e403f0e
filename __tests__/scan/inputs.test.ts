import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Context } from '../../src/context';
import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { DEFAULT_DB_REPOSITORIES, parseScanInputs } from '../../src/stages/scan/inputs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-inputs-'));
fs.mkdirSync(path.join(workspace, 'k8s'));
fs.writeFileSync(path.join(workspace, '.trivyignore'), 'CVE-2099-0001\n');
fs.writeFileSync(path.join(workspace, 'image.tar'), '');
fs.writeFileSync(path.join(workspace, 'sbom.cdx.json'), '{}');
const ctx = { workspace } as Context;
const env = { HOME: '/home/runner', RUNNER_TEMP: '/runner/temp' };

function parse(values: Record<string, string>) {
  return parseScanInputs(mapInputs(values), ctx, env);
}

function inputError(values: Record<string, string>): InputError {
  try {
    parse(values);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('scan inputs', () => {
  it('has defaults that scan the built image and gate on CRITICAL', () => {
    const inputs = parse({});
    expect(inputs).toMatchObject({
      trivyVersion: '0.68.2',
      scanType: 'image',
      scanRef: '',
      dbRepositories: DEFAULT_DB_REPOSITORIES,
      policy: { failOn: 'CRITICAL', ignoreUnfixed: false },
      scanners: ['vuln', 'secret'],
      sarifFile: '/runner/temp/trivy-results.sarif',
      cacheDir: '/home/runner/.cache/trivy',
      prComment: true,
    });
    expect(inputs.policy.severities).toEqual(['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it('keeps the DB repositories in the order given', () => {
    const inputs = parse({
      'trivy-db-repository': '127.0.0.1:1/nothing:2,\n127.0.0.1:5000/trivy-db:2',
    });
    expect(inputs.dbRepositories).toEqual(['127.0.0.1:1/nothing:2', '127.0.0.1:5000/trivy-db:2']);
  });

  it('reads severities and fail-on case-insensitively', () => {
    const inputs = parse({
      severity: 'high, critical',
      'fail-on': 'high',
      'trivy-version': 'v0.67.0',
    });
    expect(inputs.policy).toEqual({
      severities: ['HIGH', 'CRITICAL'],
      failOn: 'HIGH',
      ignoreUnfixed: false,
    });
    expect(inputs.trivyVersion).toBe('0.67.0');
  });

  it('resolves fs/config paths, ignore files and the SARIF path against the workspace', () => {
    const inputs = parse({
      'scan-type': 'config',
      'scan-ref': 'k8s',
      trivyignores: '.trivyignore',
      'sarif-file': 'out/trivy.sarif',
    });
    expect(inputs.scanRef).toBe(path.join(workspace, 'k8s'));
    expect(inputs.trivyignores).toEqual([path.join(workspace, '.trivyignore')]);
    expect(inputs.sarifFile).toBe(path.join(workspace, 'out/trivy.sarif'));
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['severity', { severity: 'HIGH,SEVERE' }, /unknown severity "SEVERE"/],
    ['fail-on', { 'fail-on': 'BAD' }, /not one of none, UNKNOWN/],
    [
      'fail-on',
      { severity: 'CRITICAL', 'fail-on': 'HIGH' },
      /HIGH findings that `severity` does not report/,
    ],
    ['scan-type', { 'scan-type': 'vm' }, /not one of image, fs, config, repo, rootfs, sbom/],
    ['exit-code', { 'exit-code': 'yes' }, /not an exit code; use 0 \(never fail\) or 1-255/],
    ['exit-code', { 'exit-code': '1', 'fail-on': 'HIGH' }, /both decide the gate; keep one/],
    ['exit-code', { 'exit-code': '0', 'fail-on': 'CRITICAL' }, /both decide the gate/],
    ['version', { version: 'v0.67.0', 'trivy-version': 'v0.68.2' }, /disagree/],
    ['version', { version: 'latest' }, /not a release version like v0.68.2/],
    ['image-ref', { 'image-ref': 'a:1', 'scan-ref': 'b:1' }, /name two targets/],
    ['image-ref', { 'image-ref': 'a:1', 'scan-type': 'fs' }, /names an image/],
    ['input', { input: 'missing.tar' }, /does not exist/],
    ['input', { input: 'image.tar', 'scan-ref': 'a:1' }, /either input .* or scan-ref/],
    ['input', { input: 'image.tar', 'scan-type': 'fs' }, /scan-type image, not fs/],
    ['vuln-type', { 'vuln-type': 'os,lib' }, /unknown package type "lib"; use os, library/],
    ['vuln-type', { 'pkg-types': 'os', 'vuln-type': 'library' }, /disagree/],
    ['format', { format: 'xml' }, /"xml" is not one of table, json, sarif, cyclonedx/],
    ['template', { format: 'template' }, /needs a template/],
    ['template', { format: 'json', template: '@x.tpl' }, /used with format: template/],
    ['template', { format: 'template', template: '@missing.tpl' }, /does not exist/],
    ['timeout', { timeout: 'soon' }, /not a duration like 90s, 5m or 1m30s/],
    ['trivy-db-timeout', { 'trivy-db-timeout': '0s' }, /not a duration/],
    ['trivy-config', { 'trivy-config': 'missing.yaml' }, /does not exist/],
    ['ignore-policy', { 'ignore-policy': 'missing.rego' }, /does not exist/],
    ['tf-vars', { 'tf-vars': 'image.tar' }, /apply to scan-type config, fs or repo, not image/],
    ['docker-host', { 'docker-host': '/var/run/docker.sock' }, /not a Docker host address/],
    ['list-all-pkgs', { 'list-all-pkgs': 'yes' }, /not a boolean/],
    ['limit-severities-for-sarif', { 'limit-severities-for-sarif': '1' }, /not a boolean/],
    ['skip-setup-trivy', { 'skip-setup-trivy': 'maybe' }, /not a boolean/],
    ['hide-progress', { 'hide-progress': 'on' }, /not a boolean/],
    ['trust-pr-policy-files', { 'trust-pr-policy-files': 'yes' }, /not a boolean/],
    ['scan-ref', { 'scan-type': 'fs', 'scan-ref': 'missing/dir' }, /does not exist/],
    ['scan-ref', { stages: 'scan' }, /nothing to scan/],
    ['scanners', { scanners: 'vuln,rbac' }, /unknown scanner "rbac"/],
    ['trivyignores', { trivyignores: 'nope.trivyignore' }, /does not exist/],
    ['trivy-version', { 'trivy-version': 'latest' }, /not a release version/],
    ['trivy-db-repository', { 'trivy-db-repository': 'trivy db' }, /not an OCI repository/],
    ['ignore-unfixed', { 'ignore-unfixed': 'yes' }, /not a boolean/],
  ])('names %s when it is wrong', (input, values, detail) => {
    const err = inputError(values);
    expect(err.input).toBe(input);
    expect(err.message).toMatch(detail);
  });

  it('accepts an image scan without scan-ref when build runs', () => {
    expect(parse({ stages: 'build,scan' }).scanRef).toBe('');
    expect(parse({ stages: 'auto' }).scanRef).toBe('');
  });

  // exit-code is trivy-action's spelling of the gate: what a pasted step means.
  it.each<[string, Record<string, string>, string]>([
    ['no gate input: CRITICAL', {}, 'CRITICAL'],
    ['fail-on alone', { 'fail-on': 'HIGH' }, 'HIGH'],
    ['exit-code 0 never fails', { 'exit-code': '0' }, 'none'],
    ['exit-code 1 fails on every reported severity', { 'exit-code': '1' }, 'UNKNOWN'],
    [
      'exit-code 1 with severity CRITICAL,HIGH fails on those',
      { 'exit-code': '1', severity: 'CRITICAL,HIGH' },
      'HIGH',
    ],
    ['exit-code 2 is as good as 1', { 'exit-code': '2', severity: 'CRITICAL' }, 'CRITICAL'],
  ])('%s', (_name, values, failOn) => {
    expect(parse(values).policy.failOn).toBe(failOn);
  });

  it('reads trivy-action names as the Gantry inputs they stand for', () => {
    const inputs = parse({
      version: 'v0.67.0',
      'image-ref': 'alpine:3.20',
      'vuln-type': 'os',
      'skip-dirs': '/usr/lib,/opt',
      'skip-files': '/etc/passwd',
      timeout: '10m',
      'list-all-pkgs': 'true',
      'hide-progress': 'true',
      'docker-host': 'unix:///var/run/docker.sock',
      format: 'sarif',
      output: 'trivy.sarif',
      cache: 'false',
      'skip-setup-trivy': 'true',
    });
    expect(inputs).toMatchObject({
      trivyVersion: '0.67.0',
      scanRef: 'alpine:3.20',
      pkgTypes: ['os'],
      skipDirs: ['/usr/lib', '/opt'],
      skipFiles: ['/etc/passwd'],
      timeoutSeconds: 600,
      listAllPkgs: true,
      hideProgress: true,
      dockerHost: 'unix:///var/run/docker.sock',
      format: {
        format: 'sarif',
        output: path.join(workspace, 'trivy.sarif'),
        limitSeveritiesForSarif: false,
      },
      useActionsCache: false,
      skipSetupTrivy: true,
    });
  });

  it.each<[string, string, boolean]>([
    ['trivy-action cache on', 'true', true],
    ['trivy-action cache off', 'false', false],
    ["build's cache plan is not the scan's", 'registry', true],
    ["build's default", 'auto', true],
  ])('cache: %s', (_name, value, used) => {
    expect(parse({ cache: value }).useActionsCache).toBe(used);
  });

  it('takes an output file alone as a table, like trivy-action', () => {
    expect(parse({ output: 'report.txt' }).format?.format).toBe('table');
    expect(parse({}).format).toBeUndefined();
  });

  it('scans an image archive, an SBOM (vulnerabilities only) and a remote repository', () => {
    expect(parse({ input: 'image.tar' }).imageArchive).toBe(path.join(workspace, 'image.tar'));
    const sbom = parse({ 'scan-type': 'sbom', 'scan-ref': 'sbom.cdx.json' });
    expect(sbom.scanners).toEqual(['vuln']);
    const repo = parse({ 'scan-type': 'repo', 'scan-ref': 'https://github.com/acme/app' });
    expect(repo.scanRef).toBe('https://github.com/acme/app');
  });

  it("lists the workspace's default policy files Trivy would read from its directory", () => {
    const inputs = parse({});
    expect(inputs.policyFiles).toEqual([
      { role: 'ignorefile', input: 'trivyignores', path: path.join(workspace, '.trivyignore') },
    ]);
  });
});
