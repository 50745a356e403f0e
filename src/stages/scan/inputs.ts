// The scan stage's inputs, parsed and checked before any stage runs: every error names the
// input and says what would be right.
import type { Deferred } from '../../lib/deferred-output';
import type { Scanned } from './trivy-run';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as semver from 'semver';
import type { Context } from '../../context';
import { readBoolean, readChoice, readList, type InputSource } from '../../inputs';
import { parseDuration } from '../../lib/duration';
import { InputError } from '../../lib/errors';
import { FORMATS, type Format } from './formats';
import type { PolicyFile } from './policy-files';
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
/** How long one DB repository may take (a full download is ~60 MB). */
export const DEFAULT_DB_TIMEOUT_SECONDS = 180;

export const DEFAULT_JAVA_DB_REPOSITORIES = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'public.ecr.aws/aquasecurity/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
];

/** A Trivy flag file Gantry reads itself (from the base branch on pull requests). */
export interface PolicyFileRequest {
  role: PolicyRole;
  /** The input that named it, for messages. */
  input: string;
  path: string;
}
export type PolicyRole = 'ignorefile' | 'config' | 'ignore-policy' | 'secret-config';

/** The extra report trivy-action users ask for with `format` (Trivy writes it). */
export interface FormatRequest {
  format: Format;
  /** `@file` for format template; `@/contrib/...` resolves next to the Trivy binary. */
  template: string;
  /** Absolute path, or '' for the log. */
  output: string;
  /** SARIF keeps every severity unless true, as in trivy-action. */
  limitSeveritiesForSarif: boolean;
}

export interface ScanInputs {
  /** Without the leading v, e.g. 0.68.2. */
  trivyVersion: string;
  /** skip-setup-trivy: run whatever trivy is on PATH (or $TRIVY), never download. */
  skipSetupTrivy: boolean;
  /** token-setup-trivy: authorizes the release download from github.com. */
  releaseToken: string;
  scanType: ScanType;
  /** An image reference, or for path scans an absolute path; '' = the build stage's image. */
  scanRef: string;
  /** `input`: an image archive (docker save / OCI layout tar) to scan instead of a reference. */
  imageArchive: string;
  dbRepositories: string[];
  javaDbRepositories: string[];
  /** Seconds one DB repository may take before the next one is tried. */
  dbTimeoutSeconds: number;
  policy: ScanPolicy;
  /** Absolute paths of ignore files, merged into one for Trivy. */
  trivyignores: string[];
  /** Every file that can set findings aside or change the scan's settings. */
  policyFiles: PolicyFileRequest[];
  /** trust-pr-policy-files: read them from a pull request's checkout, not its base branch. */
  trustPrPolicyFiles: boolean;
  scanners: Scanner[];
  pkgTypes: string[];
  skipDirs: string[];
  skipFiles: string[];
  tfVars: string[];
  /** Trivy's --timeout for the scan, in seconds (undefined = Trivy's 5m). */
  timeoutSeconds?: number;
  listAllPkgs: boolean;
  hideProgress: boolean;
  dockerHost: string;
  format?: FormatRequest;
  sarifFile: string;
  cacheDir: string;
  /** The peer's `cache`: save and restore the DB with the Actions cache. */
  useActionsCache: boolean;
  prComment: boolean;
  githubToken: string;
  /** github-pat: the token that uploads the dependency snapshot (format github). */
  githubPat: string;
  /** What of policyFiles applies, read by the stage's prepare step (base branch on PRs). */
  appliedPolicyFiles?: PolicyFile[];
  /** The scan started ahead (once the build pushed) and the target it scans. */
  ahead?: { target: string; scanned: Deferred<Scanned> };
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

function readExitCode(source: InputSource): number | undefined {
  const raw = source.get('exit-code');
  if (raw === '') return undefined;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) > 255) {
    throw new InputError('exit-code', `"${raw}" is not an exit code; use 0 (never fail) or 1-255`);
  }
  return Number(raw);
}

/**
 * The gate. `fail-on` is Gantry's spelling; trivy-action's `exit-code` is the other one: 0
 * never fails, any other value fails on every finding `severity` reports. One of them.
 */
function readFailOn(source: InputSource, severities: Severity[]): FailOn {
  const raw = source.get('fail-on');
  const exitCode = readExitCode(source);
  if (exitCode !== undefined) {
    if (raw !== '') {
      throw new InputError(
        'exit-code',
        `exit-code ${exitCode} and fail-on ${raw} both decide the gate; keep one (fail-on: ` +
          `none to only report, or a severity; exit-code 0 never fails, other values fail on ` +
          `every severity \`severity\` reports)`,
      );
    }
    return exitCode === 0 ? 'none' : severities[0];
  }
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

function readScanners(source: InputSource, scanType: ScanType): Scanner[] {
  const values = readList(source, 'scanners').map((s) => s.toLowerCase());
  for (const value of values) {
    if (!(SCANNERS as readonly string[]).includes(value)) {
      throw new InputError('scanners', `unknown scanner "${value}"; use ${SCANNERS.join(', ')}`);
    }
  }
  const scanners = values.length === 0 ? (['vuln', 'secret'] as Scanner[]) : values;
  // An SBOM lists packages and nothing else: only vulnerabilities can be found in it.
  if (scanType === 'sbom') return ['vuln'];
  return [...new Set(scanners)] as Scanner[];
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

/** `trivy-version`, or trivy-action's name for it, `version`. */
function readTrivyVersion(source: InputSource): string {
  const own = source.get('trivy-version');
  const peer = source.get('version');
  if (own && peer && own.replace(/^v/, '') !== peer.replace(/^v/, '')) {
    throw new InputError(
      'version',
      `version ${peer} and trivy-version ${own} disagree; \`version\` is trivy-action's name ` +
        `for trivy-version: set one`,
    );
  }
  const name = peer && !own ? 'version' : 'trivy-version';
  const raw = own || peer || DEFAULT_TRIVY_VERSION;
  const version = semver.valid(raw.replace(/^v/, ''));
  if (!version) {
    throw new InputError(name, `"${raw}" is not a release version like v${DEFAULT_TRIVY_VERSION}`);
  }
  return version;
}

const isRemoteRepository = (ref: string) => /^[a-z][a-z+]*:\/\//i.test(ref) || /^git@/.test(ref);

function readScanRef(source: InputSource, scanType: ScanType, ctx: Context): string {
  const scanRef = source.get('scan-ref');
  const imageRef = source.get('image-ref');
  if (imageRef && scanRef && imageRef !== scanRef) {
    throw new InputError(
      'image-ref',
      `image-ref ${imageRef} and scan-ref ${scanRef} name two targets; image-ref is ` +
        `trivy-action's older name for scan-ref: set one`,
    );
  }
  if (imageRef && scanType !== 'image') {
    throw new InputError('image-ref', `image-ref names an image; scan-type is ${scanType}`);
  }
  const raw = imageRef || scanRef;
  if (scanType === 'image') {
    if (raw === '' && source.get('input') === '') {
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
  if (scanType === 'repo' && isRemoteRepository(raw)) return raw;
  const resolved = path.resolve(ctx.workspace, raw || '.');
  if (!fs.existsSync(resolved)) {
    throw new InputError(
      'scan-ref',
      `${resolved} does not exist (scan-type ${scanType} scans a path)`,
    );
  }
  if (scanType === 'sbom' && !fs.statSync(resolved).isFile()) {
    throw new InputError('scan-ref', `${resolved} is not a file (scan-type sbom reads an SBOM)`);
  }
  return resolved;
}

function readImageArchive(source: InputSource, scanType: ScanType, ctx: Context): string {
  const raw = source.get('input');
  if (raw === '') return '';
  if (scanType !== 'image') {
    throw new InputError(
      'input',
      `an image archive is scanned with scan-type image, not ${scanType}`,
    );
  }
  if (source.get('scan-ref') || source.get('image-ref')) {
    throw new InputError('input', 'set either input (an image archive) or scan-ref, not both');
  }
  return readPath(source, 'input', ctx, raw);
}

/** A path input relative to the workspace that must exist. */
function readPath(source: InputSource, name: string, ctx: Context, raw = source.get(name)): string {
  const resolved = path.resolve(ctx.workspace, raw);
  if (!fs.existsSync(resolved)) throw new InputError(name, `${resolved} does not exist`);
  return resolved;
}

function readIgnoreFiles(source: InputSource, ctx: Context): string[] {
  return readList(source, 'trivyignores').map((file) =>
    readPath(source, 'trivyignores', ctx, file),
  );
}

/**
 * The files that can set findings aside or change the scan's settings: the inputs that
 * name them, else the files Trivy reads from its working directory by default (Gantry
 * runs Trivy elsewhere and hands them over itself, so it knows what applied).
 */
function readPolicyFiles(
  source: InputSource,
  ctx: Context,
  trivyignores: string[],
): PolicyFileRequest[] {
  const files: PolicyFileRequest[] = [];
  const implicit = (name: string) => {
    const file = path.join(ctx.workspace, name);
    return fs.existsSync(file) ? file : undefined;
  };
  const ignores = trivyignores.length > 0 ? trivyignores : [implicit('.trivyignore')];
  for (const file of ignores) {
    if (file) files.push({ role: 'ignorefile', input: 'trivyignores', path: file });
  }
  const config = source.get('trivy-config')
    ? readPath(source, 'trivy-config', ctx)
    : implicit('trivy.yaml');
  if (config) files.push({ role: 'config', input: 'trivy-config', path: config });
  if (source.get('ignore-policy')) {
    const policy = readPath(source, 'ignore-policy', ctx);
    files.push({ role: 'ignore-policy', input: 'ignore-policy', path: policy });
  }
  const secretConfig = implicit('trivy-secret.yaml');
  if (secretConfig) {
    files.push({ role: 'secret-config', input: 'trivy-secret.yaml', path: secretConfig });
  }
  return files;
}

const PKG_TYPES = ['os', 'library'] as const;

/** `pkg-types`, or trivy-action's older name for it, `vuln-type`. */
function readPkgTypes(source: InputSource): string[] {
  const own = readList(source, 'pkg-types').map((t) => t.toLowerCase());
  const peer = readList(source, 'vuln-type').map((t) => t.toLowerCase());
  if (own.length > 0 && peer.length > 0 && own.join(',') !== peer.join(',')) {
    throw new InputError(
      'vuln-type',
      `vuln-type ${peer.join(',')} and pkg-types ${own.join(',')} disagree; vuln-type is ` +
        `trivy-action's name for pkg-types: set one`,
    );
  }
  const name = own.length > 0 ? 'pkg-types' : 'vuln-type';
  const values = own.length > 0 ? own : peer;
  for (const value of values) {
    if (!(PKG_TYPES as readonly string[]).includes(value)) {
      throw new InputError(name, `unknown package type "${value}"; use ${PKG_TYPES.join(', ')}`);
    }
  }
  return values.length > 0 ? [...new Set(values)] : [...PKG_TYPES];
}

function readSeconds(source: InputSource, name: string, fallback?: number): number | undefined {
  const raw = source.get(name);
  if (raw === '') return fallback;
  const seconds = parseDuration(raw);
  if (seconds === undefined || seconds <= 0) {
    throw new InputError(name, `"${raw}" is not a duration like 90s, 5m or 1m30s`);
  }
  return seconds;
}

function readFormat(source: InputSource, ctx: Context): FormatRequest | undefined {
  const output = source.get('output');
  const template = source.get('template');
  const limitSeveritiesForSarif = readBoolean(source, 'limit-severities-for-sarif', false);
  // trivy-action's format defaults to table: an output file alone gets the table.
  const format: Format | undefined = source.get('format')
    ? readChoice(source, 'format', FORMATS, 'table')
    : output
      ? 'table'
      : undefined;
  if (template && format !== 'template') {
    throw new InputError(
      'template',
      `a template is used with format: template (format is ${format || 'not set'})`,
    );
  }
  if (!format) return undefined;
  if (format === 'template') {
    if (!template) {
      throw new InputError('template', 'format: template needs a template, e.g. @contrib/html.tpl');
    }
    if (template.startsWith('@') && !template.startsWith('@/contrib/')) {
      readPath(source, 'template', ctx, template.slice(1));
    }
  }
  return {
    format,
    template:
      template.startsWith('@') && !template.startsWith('@/contrib/')
        ? `@${path.resolve(ctx.workspace, template.slice(1))}`
        : template,
    output: output ? path.resolve(ctx.workspace, output) : '',
    limitSeveritiesForSarif,
  };
}

/**
 * `cache` belongs to two peers: build-push-action's cache plan (auto, gha, registry, ...) and
 * trivy-action's true/false switch for the DB cache. Only the booleans are the scan's.
 */
function readDbCacheSwitch(source: InputSource): boolean {
  const value = source.get('cache');
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  return true;
}

function readDockerHost(source: InputSource): string {
  const value = source.get('docker-host');
  if (value && !/^(unix|tcp|npipe|ssh):\/\/\S+$/.test(value)) {
    throw new InputError(
      'docker-host',
      `"${value}" is not a Docker host address like unix:///var/run/docker.sock or tcp://host:2376`,
    );
  }
  return value;
}

function readTfVars(source: InputSource, scanType: ScanType, ctx: Context): string[] {
  const files = readList(source, 'tf-vars').map((file) => readPath(source, 'tf-vars', ctx, file));
  if (files.length > 0 && !['fs', 'config', 'repo'].includes(scanType)) {
    throw new InputError(
      'tf-vars',
      `Terraform variables apply to scan-type config, fs or repo, not ${scanType}`,
    );
  }
  return files;
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
  const trivyignores = readIgnoreFiles(source, ctx);
  return {
    trivyVersion: readTrivyVersion(source),
    skipSetupTrivy: readBoolean(source, 'skip-setup-trivy', false),
    releaseToken: source.get('token-setup-trivy'),
    scanType,
    scanRef: readScanRef(source, scanType, ctx),
    imageArchive: readImageArchive(source, scanType, ctx),
    dbRepositories: readRepositories(source, 'trivy-db-repository', DEFAULT_DB_REPOSITORIES),
    javaDbRepositories: readRepositories(
      source,
      'trivy-java-db-repository',
      DEFAULT_JAVA_DB_REPOSITORIES,
    ),
    dbTimeoutSeconds: readSeconds(source, 'trivy-db-timeout', DEFAULT_DB_TIMEOUT_SECONDS)!,
    policy: {
      severities,
      failOn: readFailOn(source, severities),
      ignoreUnfixed: readBoolean(source, 'ignore-unfixed', false),
    },
    trivyignores,
    policyFiles: readPolicyFiles(source, ctx, trivyignores),
    trustPrPolicyFiles: readBoolean(source, 'trust-pr-policy-files', false),
    scanners: readScanners(source, scanType),
    pkgTypes: readPkgTypes(source),
    skipDirs: readList(source, 'skip-dirs'),
    skipFiles: readList(source, 'skip-files'),
    tfVars: readTfVars(source, scanType, ctx),
    timeoutSeconds: readSeconds(source, 'timeout'),
    listAllPkgs: readBoolean(source, 'list-all-pkgs', false),
    hideProgress: readBoolean(source, 'hide-progress', false),
    dockerHost: readDockerHost(source),
    format: readFormat(source, ctx),
    // The runner's temp directory keeps the report out of the checkout (where a later fs
    // scan, a `COPY . .` build context or a commit step would pick it up).
    sarifFile: sarifFile
      ? path.resolve(ctx.workspace, sarifFile)
      : path.join(env.RUNNER_TEMP || os.tmpdir(), 'trivy-results.sarif'),
    cacheDir: cacheDir ? path.resolve(ctx.workspace, cacheDir) : defaultCacheDir(env),
    useActionsCache: readDbCacheSwitch(source),
    prComment: readBoolean(source, 'pr-comment', true),
    githubToken: source.get('github-token'),
    githubPat: source.get('github-pat'),
  };
}
