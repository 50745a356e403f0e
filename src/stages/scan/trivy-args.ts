// Trivy command lines: the one-repository DB download the fallback loop runs, and the scan.
// Every flag that shapes what the gate sees is passed explicitly, so neither a TRIVY_*
// variable nor a config file can change it behind Gantry's inputs.
import * as path from 'path';
import { formatNeedsPackages } from './formats';
import type { ScanInputs } from './inputs';
import { SEVERITIES, type ScanType, type Scanner } from './model';

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
  /** The positional target ('' with imageArchive). */
  target: string;
  /** An image archive for `--input` (scan-type image). */
  imageArchive?: string;
  scanners: Scanner[];
  cacheDir: string;
  outputFile: string;
  javaDbRepositories: string[];
  /** `docker` for an image only the local engine has (a build that was loaded, not pushed). */
  imageSource?: 'docker';
  /** The one ignore file (merged from every applied one; empty when none applies). */
  ignoreFile: string;
  /** trivy.yaml, rego ignore policy and secret rules, when one applies. */
  configFile?: string;
  ignorePolicy?: string;
  secretConfig?: string;
  pkgTypes: string[];
  skipDirs: string[];
  skipFiles: string[];
  tfVars: string[];
  timeoutSeconds?: number;
  listAllPkgs: boolean;
  hideProgress: boolean;
  dockerHost: string;
}

/** Whether the scan reads the vulnerability DB (so it must be there first). */
export function needsVulnerabilityDb(scanType: ScanType, scanners: Scanner[]): boolean {
  return scanType !== 'config' && scanners.includes('vuln');
}

const SCANS_PACKAGES: ScanType[] = ['image', 'fs', 'repo', 'rootfs', 'sbom'];
const WALKS_FILES: ScanType[] = ['image', 'fs', 'config', 'repo', 'rootfs'];
const READS_TERRAFORM: ScanType[] = ['fs', 'config', 'repo'];

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
    // Every severity: the gate filters by `severity` itself and counts what it leaves out.
    '--severity',
    SEVERITIES.join(','),
    '--ignorefile',
    command.ignoreFile,
  ];
  if (command.scanType !== 'config') {
    // Suppressed findings stay in the report (ExperimentalModifiedFindings) so the summary
    // can say which rule of which file set each one aside (`trivy config` cannot).
    args.push('--show-suppressed', NO_PROGRESS, '--scanners', command.scanners.join(','));
  }
  if (SCANS_PACKAGES.includes(command.scanType)) {
    // ignore-unfixed is applied by the gate, which counts what it drops.
    args.push('--ignore-unfixed=false', '--pkg-types', command.pkgTypes.join(','));
  }
  if (needsVulnerabilityDb(command.scanType, command.scanners)) {
    // The DB was prepared (restored or downloaded with fallback) before the scan; Trivy
    // fetches the Java DB itself, only when the target has Java artifacts.
    args.push('--skip-db-update', '--java-db-repository', command.javaDbRepositories.join(','));
  }
  if (WALKS_FILES.includes(command.scanType)) {
    for (const dir of command.skipDirs) args.push('--skip-dirs', dir);
    for (const file of command.skipFiles) args.push('--skip-files', file);
  }
  if (READS_TERRAFORM.includes(command.scanType)) {
    for (const file of command.tfVars) args.push('--tf-vars', file);
  }
  if (command.configFile) args.push('--config', command.configFile);
  if (command.ignorePolicy) args.push('--ignore-policy', command.ignorePolicy);
  if (
    command.secretConfig &&
    WALKS_FILES.includes(command.scanType) &&
    command.scanType !== 'config'
  ) {
    args.push('--secret-config', command.secretConfig);
  }
  if (command.timeoutSeconds !== undefined) args.push('--timeout', `${command.timeoutSeconds}s`);
  if (command.listAllPkgs && SCANS_PACKAGES.includes(command.scanType)) {
    args.push('--list-all-pkgs');
  }
  if (command.hideProgress) args.push('--quiet');
  if (command.scanType === 'image') {
    if (command.dockerHost) args.push('--docker-host', command.dockerHost);
    if (command.imageSource) args.push('--image-src', command.imageSource);
    if (command.imageArchive) args.push('--input', command.imageArchive);
  }
  if (command.target) args.push(command.target);
  return args;
}

/**
 * Skip paths of a path scan as Trivy reads them when it runs in the workspace (trivy-action
 * does): a relative path inside the scanned directory becomes relative to it, any other
 * relative path is a path inside it already. Trivy runs elsewhere, so Gantry does that here.
 */
export function skipPathsFor(paths: string[], root: string, workspace: string): string[] {
  return paths.map((p) => {
    if (path.isAbsolute(p)) return p;
    const rel = path.relative(root, path.resolve(workspace, p));
    return (rel.startsWith('..') ? p : rel).split(path.sep).join('/');
  });
}

/** The scan command for the parsed inputs, a target and the policy files as written for Trivy. */
export function scanCommand(
  inputs: ScanInputs,
  target: { target: string; imageSource?: 'docker' },
  files: Pick<ScanCommand, 'ignoreFile' | 'configFile' | 'ignorePolicy' | 'secretConfig'>,
  outputFile: string,
  workspace: string,
): ScanCommand {
  const scansPath = inputs.scanType !== 'image' && path.isAbsolute(target.target);
  const skip = (paths: string[]) =>
    scansPath ? skipPathsFor(paths, target.target, workspace) : paths;
  return {
    scanType: inputs.scanType,
    target: inputs.imageArchive ? '' : target.target,
    imageArchive: inputs.imageArchive || undefined,
    imageSource: target.imageSource,
    scanners: inputs.scanners,
    cacheDir: inputs.cacheDir,
    outputFile,
    javaDbRepositories: inputs.javaDbRepositories,
    ...files,
    pkgTypes: inputs.pkgTypes,
    skipDirs: skip(inputs.skipDirs),
    skipFiles: skip(inputs.skipFiles),
    tfVars: inputs.tfVars,
    timeoutSeconds: inputs.timeoutSeconds,
    // SBOM-like reports list every package, so the JSON they are converted from must too.
    listAllPkgs:
      inputs.listAllPkgs || (inputs.format ? formatNeedsPackages(inputs.format.format) : false),
    hideProgress: inputs.hideProgress,
    dockerHost: inputs.dockerHost,
  };
}
