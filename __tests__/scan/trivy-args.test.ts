import { dbDownloadArgs, needsVulnerabilityDb, scanArgs } from '../../src/stages/scan/trivy-args';

const base = {
  target: '127.0.0.1:5000/app@sha256:0123',
  scanners: ['vuln', 'secret'] as ('vuln' | 'secret')[],
  cacheDir: '/cache/trivy',
  outputFile: '/tmp/report.json',
  javaDbRepositories: [
    'mirror.gcr.io/aquasec/trivy-java-db:1',
    'ghcr.io/aquasecurity/trivy-java-db:1',
  ],
  ignoreFile: '/tmp/work/trivyignore',
  pkgTypes: ['os', 'library'],
  skipDirs: [],
  skipFiles: [],
  tfVars: [],
  listAllPkgs: false,
  hideProgress: false,
  dockerHost: '',
};

describe('Trivy command lines', () => {
  it('downloads the DB from exactly one repository per attempt', () => {
    expect(dbDownloadArgs('127.0.0.1:5000/trivy-db:2', '/cache/trivy')).toEqual([
      'image',
      '--download-db-only',
      '--db-repository',
      '127.0.0.1:5000/trivy-db:2',
      '--cache-dir',
      '/cache/trivy',
      '--no-progress',
      '--skip-version-check',
      '--disable-telemetry',
    ]);
  });

  it('scans an image with the prepared DB and JSON output, target last', () => {
    const args = scanArgs({ ...base, scanType: 'image' });
    expect(args.slice(0, 5)).toEqual(['image', '--format', 'json', '--output', '/tmp/report.json']);
    expect(args).toEqual(
      expect.arrayContaining(['--skip-db-update', '--no-progress', '--scanners']),
    );
    expect(args[args.indexOf('--scanners') + 1]).toBe('vuln,secret');
    expect(args[args.indexOf('--java-db-repository') + 1]).toBe(base.javaDbRepositories.join(','));
    expect(args.at(-1)).toBe(base.target);
  });

  it('passes a merged ignore file and keeps what it suppresses in the report', () => {
    const args = scanArgs({
      ...base,
      scanType: 'fs',
      target: '/ws',
      ignoreFile: '/tmp/.trivyignore',
    });
    expect(args).toEqual(
      expect.arrayContaining(['--ignorefile', '/tmp/.trivyignore', '--show-suppressed']),
    );
  });

  it('runs config scans without DB, scanners or progress flags (trivy config has none)', () => {
    const args = scanArgs({ ...base, scanType: 'config', target: '/ws/k8s' });
    expect(args[0]).toBe('config');
    for (const flag of [
      '--no-progress',
      '--scanners',
      '--skip-db-update',
      '--java-db-repository',
    ]) {
      expect(args).not.toContain(flag);
    }
  });

  it.each([
    ['image', ['vuln', 'secret'], true],
    ['fs', ['secret'], false],
    ['config', ['vuln'], false],
  ] as const)('%s with %j needs the vulnerability DB: %s', (scanType, scanners, needed) => {
    expect(needsVulnerabilityDb(scanType, [...scanners])).toBe(needed);
  });
});
