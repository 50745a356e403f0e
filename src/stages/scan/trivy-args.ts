// Trivy command lines: the one-repository DB download the fallback loop runs, and the scan.
import type { ScanType, Scanner } from './model';

// No call home for a newer version or telemetry.
const QUIET_NETWORK = ['--skip-version-check', '--disable-telemetry'];
// No progress bars in CI logs (`trivy config` downloads nothing and has no such flag).
const NO_PROGRESS = '--no-progress';

export function dbDownloadArgs(repository: string, cacheDir: string): string[] {
  return [
    'image',
    '--download-db-only',
    '--db-repository',
    repository,
    '--cache-dir',
    cacheDir,
    NO_PROGRESS,
    ...QUIET_NETWORK,
  ];
}

export interface ScanCommand {
  scanType: ScanType;
  target: string;
  scanners: Scanner[];
  cacheDir: string;
  outputFile: string;
  javaDbRepositories: string[];
  /** `docker` for an image only the local engine has (a build that was loaded, not pushed). */
  imageSource?: 'docker';
  /** A merged ignore file; without it Trivy reads ./.trivyignore as usual. */
  ignoreFile?: string;
}

/** Whether the scan reads the vulnerability DB (so it must be there first). */
export function needsVulnerabilityDb(scanType: ScanType, scanners: Scanner[]): boolean {
  return scanType !== 'config' && scanners.includes('vuln');
}

export function scanArgs(command: ScanCommand): string[] {
  const args = [
    command.scanType,
    '--format',
    'json',
    '--output',
    command.outputFile,
    '--cache-dir',
    command.cacheDir,
    ...QUIET_NETWORK,
  ];
  if (command.scanType !== 'config') {
    args.push(NO_PROGRESS, '--scanners', command.scanners.join(','));
  }
  if (needsVulnerabilityDb(command.scanType, command.scanners)) {
    // The DB was prepared (restored or downloaded with fallback) before the scan; Trivy
    // fetches the Java DB itself, only when the target has Java artifacts.
    args.push('--skip-db-update', '--java-db-repository', command.javaDbRepositories.join(','));
  }
  if (command.imageSource) args.push('--image-src', command.imageSource);
  if (command.ignoreFile) {
    // Suppressed findings stay in the report (ExperimentalModifiedFindings) so the summary
    // can say how many an ignore file set aside.
    args.push('--ignorefile', command.ignoreFile, '--show-suppressed');
  }
  args.push(command.target);
  return args;
}
