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
    ['scan-type', { 'scan-type': 'repo' }, /not one of image, fs, config/],
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
});
