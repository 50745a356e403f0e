// Which Trivy release archive fits this runner, where it is published, and how to read the
// release's checksums file and `trivy --version`.
import { InputError } from '../../lib/errors';

export const RELEASES_URL = 'https://github.com/aquasecurity/trivy/releases/download';

// Trivy's release archives name the platform their own way (goreleaser name templates).
const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Linux',
  darwin: 'macOS',
  win32: 'windows',
  freebsd: 'FreeBSD',
};
const ARCH_NAMES: Partial<Record<string, string>> = {
  x64: '64bit',
  arm64: 'ARM64',
  ia32: '32bit',
  arm: 'ARM',
  s390x: 's390x',
  ppc64: 'PPC64LE',
};

export interface ReleaseAsset {
  archive: string;
  checksums: string;
  format: 'tar.gz' | 'zip';
}

export function releaseAsset(version: string, platform: string, arch: string): ReleaseAsset {
  const os = OS_NAMES[platform as NodeJS.Platform];
  const cpu = ARCH_NAMES[arch];
  if (!os || !cpu) {
    throw new InputError(
      'trivy-version',
      `Trivy publishes no release archive for ${platform}/${arch}; put a trivy ${version} on PATH`,
    );
  }
  const format = platform === 'win32' ? 'zip' : 'tar.gz';
  return {
    archive: `trivy_${version}_${os}-${cpu}.${format}`,
    checksums: `trivy_${version}_checksums.txt`,
    format,
  };
}

export function releaseUrl(base: string, version: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/v${version}/${file}`;
}

/** `<sha256>  <file>` lines (sha256sum's format) -> file -> lowercase hex digest. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line.trim());
    if (match) sums.set(match[2], match[1].toLowerCase());
  }
  return sums;
}

/** The version `trivy --version` prints (`Version: 0.68.2`), or undefined. */
export function parseTrivyVersion(output: string): string | undefined {
  return /^Version:\s*v?(\S+)/m.exec(output)?.[1];
}
