// The scan stage's inputs, parsed and checked before any stage runs: every error names the
// input and says what would be right.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as semver from 'semver';
import type { Context } from '../../context';
import { readBoolean, readChoice, readList, type InputSource } from '../../inputs';
import { InputError } from '../../lib/errors';
import {
  SCANNERS,
  SCAN_TYPES,
  SEVERITIES,
  type FailOn,
  type ScanPolicy,
  type ScanType,
  type Scanner,
  type Severity,
} from './model';
import { severityRank } from './gate';
import { parseImageReference } from '../../lib/image-reference';

export const DEFAULT_TRIVY_VERSION = '0.68.2';

// The public mirrors Trivy documents. mirror.gcr.io comes first because ghcr.io rate-limits
// anonymous pulls (TOOMANYREQUESTS), the most reported failure of Trivy in CI.
export const DEFAULT_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-db:2',
  'public.ecr.aws/aquasecurity/trivy-db:2',
  'ghcr.io/aquasecurity/trivy-db:2',
];
export const DEFAULT_JAVA_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'public.ecr.aws/aquasecurity/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
];

export interface ScanInputs {
  /** Without the leading v, e.g. 0.68.2. */
  trivyVersion: string;
  scanType: ScanType;
  /** An image reference, or for fs/config an absolute path; '' = the build stage's image. */
  scanRef: string;
  dbRepositories: string[];
  javaDbRepositories: string[];
  policy: ScanPolicy;
  /** Absolute paths of ignore files, merged into one for Trivy. */
  trivyignores: string[];
  scanners: Scanner[];
  sarifFile: string;
  cacheDir: string;
  prComment: boolean;
  githubToken: string;
}

function readSeverities(source: InputSource): Severity[] {
  const values = readList(source, 'severity').map((s) => s.toUpperCase());
  if (values.length === 0) return [...SEVERITIES];
  for (const value of values) {
    if (!(SEVERITIES as readonly string[]).includes(value)) {
      throw new InputError('severity', `unknown severity "${value}"; use ${SEVERITIES.join(', ')}`);
    }
  }
  return SEVERITIES.filter((s) => values.includes(s));
}

function readFailOn(source: InputSource, severities: Severity[]): FailOn {
  const failOn = readChoice(source, 'fail-on', ['none', ...SEVERITIES] as const, 'CRITICAL');
  if (failOn === 'none') return failOn;
  // Gating on findings the report leaves out would fail a job for reasons nobody can see.
  const unreported = SEVERITIES.filter(
    (s) => severityRank(s) >= severityRank(failOn) && !severities.includes(s),
  );
  if (unreported.length > 0) {
    throw new InputError(
      'fail-on',
      `${failOn} would fail the job on ${unreported.join(', ')} findings that \`severity\` does ` +
        `not report; add them to severity or raise fail-on`,
    );
  }
  return failOn;
}

function readScanners(source: InputSource): Scanner[] {
  const values = readList(source, 'scanners').map((s) => s.toLowerCase());
  if (values.length === 0) return ['vuln', 'secret'];
  for (const value of values) {
    if (!(SCANNERS as readonly string[]).includes(value)) {
      throw new InputError('scanners', `unknown scanner "${value}"; use ${SCANNERS.join(', ')}`);
    }
  }
  return [...new Set(values)] as Scanner[];
}

function readRepositories(source: InputSource, name: string, fallback: string[]): string[] {
  const repositories = readList(source, name);
  for (const repository of repositories) {
    if (!parseImageReference(repository) || !repository.includes('/')) {
      throw new InputError(
        name,
        `"${repository}" is not an OCI repository reference like mirror.gcr.io/aquasec/trivy-db:2`,
      );
    }
  }
  return repositories.length > 0 ? repositories : fallback;
}

function readTrivyVersion(source: InputSource): string {
  const raw = source.get('trivy-version') || DEFAULT_TRIVY_VERSION;
  const version = semver.valid(raw.replace(/^v/, ''));
  if (!version) {
    throw new InputError('trivy-version', `"${raw}" is not a release version like v0.68.2`);
  }
  return version;
}

function readScanRef(source: InputSource, scanType: ScanType, ctx: Context): string {
  const raw = source.get('scan-ref');
  if (scanType === 'image') {
    if (raw === '') {
      // The build stage's image is the default target; without it there is nothing to scan.
      const stages = readList(source, 'stages').map((s) => s.toLowerCase());
      const explicit = stages.length > 0 && !stages.includes('auto');
      if (explicit && !stages.includes('build')) {
        throw new InputError(
          'scan-ref',
          'nothing to scan: set scan-ref to an image reference or run the build stage',
        );
      }
    }
    return raw;
  }
  const resolved = path.resolve(ctx.workspace, raw || '.');
  if (!fs.existsSync(resolved)) {
    throw new InputError(
      'scan-ref',
      `${resolved} does not exist (scan-type ${scanType} scans a path)`,
    );
  }
  return resolved;
}

function readIgnoreFiles(source: InputSource, ctx: Context): string[] {
  return readList(source, 'trivyignores').map((file) => {
    const resolved = path.resolve(ctx.workspace, file);
    if (!fs.existsSync(resolved)) {
      throw new InputError('trivyignores', `${resolved} does not exist`);
    }
    return resolved;
  });
}

/** Trivy's own default: the user cache directory, shared with plain `trivy` runs. */
function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'trivy');
}

export function parseScanInputs(
  source: InputSource,
  ctx: Context,
  env: NodeJS.ProcessEnv = process.env,
): ScanInputs {
  const scanType = readChoice(source, 'scan-type', SCAN_TYPES, 'image');
  const severities = readSeverities(source);
  const sarifFile = source.get('sarif-file');
  const cacheDir = source.get('cache-dir');
  return {
    trivyVersion: readTrivyVersion(source),
    scanType,
    scanRef: readScanRef(source, scanType, ctx),
    dbRepositories: readRepositories(source, 'trivy-db-repository', DEFAULT_DB_REPOSITORIES),
    javaDbRepositories: readRepositories(
      source,
      'trivy-java-db-repository',
      DEFAULT_JAVA_DB_REPOSITORIES,
    ),
    policy: {
      severities,
      failOn: readFailOn(source, severities),
      ignoreUnfixed: readBoolean(source, 'ignore-unfixed', false),
    },
    trivyignores: readIgnoreFiles(source, ctx),
    scanners: readScanners(source),
    // The runner's temp directory keeps the report out of the checkout (where a later fs
    // scan, a `COPY . .` build context or a commit step would pick it up).
    sarifFile: sarifFile
      ? path.resolve(ctx.workspace, sarifFile)
      : path.join(env.RUNNER_TEMP || os.tmpdir(), 'trivy-results.sarif'),
    cacheDir: cacheDir ? path.resolve(ctx.workspace, cacheDir) : defaultCacheDir(env),
    prComment: readBoolean(source, 'pr-comment', true),
    githubToken: source.get('github-token'),
  };
}
