import {
  parseChecksums,
  parseTrivyVersion,
  releaseAsset,
  releaseUrl,
  RELEASES_URL,
} from '../../src/stages/scan/release';
import { dbCacheKey, dbIsFresh } from '../../src/stages/scan/db-freshness';

describe('Trivy release archives', () => {
  it.each([
    ['linux', 'x64', 'trivy_0.68.2_Linux-64bit.tar.gz'],
    ['linux', 'arm64', 'trivy_0.68.2_Linux-ARM64.tar.gz'],
    ['darwin', 'arm64', 'trivy_0.68.2_macOS-ARM64.tar.gz'],
    ['darwin', 'x64', 'trivy_0.68.2_macOS-64bit.tar.gz'],
    ['win32', 'x64', 'trivy_0.68.2_windows-64bit.zip'],
  ])('%s/%s downloads %s', (platform, arch, archive) => {
    const asset = releaseAsset('0.68.2', platform, arch);
    expect(asset.archive).toBe(archive);
    expect(asset.checksums).toBe('trivy_0.68.2_checksums.txt');
  });

  it('refuses platforms Trivy publishes nothing for', () => {
    expect(() => releaseAsset('0.68.2', 'aix', 'ppc64')).toThrow(/put a trivy 0.68.2 on PATH/);
  });

  it('points at the GitHub release of the version', () => {
    expect(releaseUrl(RELEASES_URL, '0.68.2', 'trivy_0.68.2_checksums.txt')).toBe(
      'https://github.com/aquasecurity/trivy/releases/download/v0.68.2/trivy_0.68.2_checksums.txt',
    );
  });

  it('reads sha256sum lines', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    const sums = parseChecksums(
      `${a}  trivy_0.68.2_Linux-64bit.tar.gz\n${b} *trivy_0.68.2_macOS-ARM64.tar.gz\n\nnoise\n`,
    );
    expect(sums.get('trivy_0.68.2_Linux-64bit.tar.gz')).toBe(a);
    expect(sums.get('trivy_0.68.2_macOS-ARM64.tar.gz')).toBe('b'.repeat(64));
    expect(sums.size).toBe(2);
  });

  it('reads the version trivy --version prints', () => {
    expect(parseTrivyVersion('Version: 0.68.2\nVulnerability DB:\n  Version: 2\n')).toBe('0.68.2');
    expect(parseTrivyVersion('Version: dev')).toBe('dev');
    expect(parseTrivyVersion('bash: trivy: not found')).toBeUndefined();
  });
});

describe('vulnerability DB freshness', () => {
  const now = new Date('2026-11-22T08:00:00Z');
  it.each([
    [
      'NextUpdate ahead',
      { Version: 2, NextUpdate: '2026-11-22T12:00:00Z', DownloadedAt: '2026-11-20T08:00:00Z' },
      true,
    ],
    [
      'downloaded within the hour',
      { Version: 2, NextUpdate: '2026-11-22T06:00:00Z', DownloadedAt: '2026-11-22T07:30:00Z' },
      true,
    ],
    [
      'stale',
      { Version: 2, NextUpdate: '2026-11-22T06:00:00Z', DownloadedAt: '2026-11-22T06:30:00Z' },
      false,
    ],
    ['another schema', { Version: 1, NextUpdate: '2036-01-01T00:00:00Z' }, false],
    ['no metadata', undefined, false],
  ])('%s -> fresh: %s', (_name, meta, fresh) => {
    expect(dbIsFresh(meta, now)).toBe(fresh);
  });

  it('keys the cache per UTC day and platform', () => {
    expect(dbCacheKey(new Date('2026-11-22T23:59:00Z'), 'linux-x64')).toBe(
      'gantry-trivy-db-linux-x64-2026-11-22',
    );
    expect(dbCacheKey(new Date('2026-11-23T00:01:00Z'), 'linux-x64')).toBe(
      'gantry-trivy-db-linux-x64-2026-11-23',
    );
  });
});
