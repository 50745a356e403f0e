// Build check findings (Dockerfile lint rules): from `--call check,format=json` and from the
// warnings buildx records in its metadata file on a normal build (BUILDX_METADATA_WARNINGS).
// Turned into GitHub annotations on the Dockerfile's line and a job summary table. Pure.
import * as path from 'path';

export interface CheckFinding {
  rule: string;
  /** What is wrong on that line. */
  message: string;
  description: string;
  url: string;
  /** The Dockerfile as BuildKit names it (e.g. `Dockerfile`), '' when unknown. */
  sourceFile: string;
  line: number | undefined;
  /** `error` for the build error a check run reports (the Dockerfile does not parse). */
  level: 'warning' | 'error';
}

interface Range {
  start?: { line?: number };
}
interface Location {
  sourceIndex?: number;
  sourceInfo?: { filename?: string };
  ranges?: Range[];
}
interface LintWarning {
  ruleName?: string;
  description?: string;
  url?: string;
  detail?: string;
  location?: Location;
}
interface LintResults {
  warnings?: LintWarning[] | null;
  sources?: Array<{ filename?: string } | null> | null;
  buildError?: { message?: string; location?: Location } | null;
}

function locate(location: Location | undefined, results: LintResults) {
  const index = location?.sourceIndex ?? 0;
  const sourceFile = location?.sourceInfo?.filename ?? results.sources?.[index]?.filename ?? '';
  return { sourceFile, line: location?.ranges?.[0]?.start?.line };
}

/** The JSON `--call check,format=json` prints; undefined when the text is not that JSON. */
export function parseCheckResults(stdout: string): CheckFinding[] | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  let results: LintResults;
  try {
    results = JSON.parse(stdout.slice(start)) as LintResults;
  } catch {
    return undefined;
  }
  const findings: CheckFinding[] = (results.warnings ?? []).map((warning) => ({
    rule: warning.ruleName ?? '',
    message: warning.detail || warning.description || warning.ruleName || '',
    description: warning.description ?? '',
    url: warning.url ?? '',
    ...locate(warning.location, results),
    level: 'warning',
  }));
  if (results.buildError?.message) {
    findings.push({
      rule: '',
      message: results.buildError.message,
      description: '',
      url: '',
      ...locate(results.buildError.location, results),
      level: 'error',
    });
  }
  return findings;
}

interface VertexWarning {
  short?: string;
  detail?: string[];
  url?: string;
  sourceInfo?: { filename?: string };
  range?: Range[];
}

function fromBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** `buildx.build.warnings` from the metadata file (base64 `short` and `detail`). */
export function metadataWarnings(metadata: Record<string, unknown>): CheckFinding[] {
  const raw = metadata['buildx.build.warnings'];
  if (!Array.isArray(raw)) return [];
  return (raw as VertexWarning[])
    .filter((warning) => warning.short)
    .map((warning) => {
      const short = fromBase64(warning.short!).replace(/\s\(line \d+\)$/, '');
      const rule = /^(\w+):/.exec(short)?.[1] ?? '';
      return {
        rule,
        message: (warning.detail ?? []).map(fromBase64).join(' ') || short,
        description: short,
        url: warning.url ?? '',
        sourceFile: warning.sourceInfo?.filename ?? '',
        line: warning.range?.[0]?.start?.line,
        level: 'warning' as const,
      };
    });
}

/**
 * The workspace path of the Dockerfile a finding is about: the `file` input when given, else
 * the file BuildKit named inside the context (for a Git context, inside the repository).
 */
export function findingFile(
  finding: CheckFinding,
  where: { file: string; context: string; gitSubdir: string | undefined },
): string | undefined {
  if (where.file && where.file !== '-') return path.posix.normalize(where.file);
  if (!finding.sourceFile) return undefined;
  // Another repository's Git context, or a URL: no file in this repository to point at.
  if (where.gitSubdir === undefined && /^[a-z]+:\/\/|^git@/.test(where.context)) return undefined;
  const base = where.gitSubdir ?? where.context;
  return path.posix.normalize(path.posix.join(base, finding.sourceFile));
}

export interface Annotation {
  level: 'warning' | 'error';
  message: string;
  properties: { title: string; file?: string; startLine?: number };
}

export function checkAnnotations(
  findings: CheckFinding[],
  where: { file: string; context: string; gitSubdir: string | undefined },
): Annotation[] {
  return findings.map((finding) => {
    const file = findingFile(finding, where);
    const message = finding.url ? `${finding.message}\nMore info: ${finding.url}` : finding.message;
    return {
      level: finding.level,
      message,
      properties: {
        title: finding.rule ? `Build check ${finding.rule}` : 'Build check',
        ...(file ? { file } : {}),
        ...(finding.line ? { startLine: finding.line } : {}),
      },
    };
  });
}

/** The one-line verdict of a check run, as buildx words its own. */
export function checkVerdict(findings: CheckFinding[]): string {
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.length - errors;
  if (findings.length === 0) return 'Check complete, no warnings found.';
  const parts = [];
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return `Check complete, ${parts.join(' and ')} found`;
}
