// The reports trivy-action writes with `format`, made from the scan's JSON report by
// `trivy convert` (no second scan). Gantry's SARIF file, summary and PR comment are separate.
import type { FormatRequest } from './inputs';
import type { Severity } from './model';

export const FORMATS = [
  'table',
  'json',
  'sarif',
  'cyclonedx',
  'spdx',
  'spdx-json',
  'github',
  'template',
] as const;
export type Format = (typeof FORMATS)[number];

interface FormatRule {
  /** SBOM-like formats list every package, so the scan must keep them (--list-all-pkgs). */
  needsPackages: boolean;
  /** trivy-action writes SARIF with every severity unless limit-severities-for-sarif. */
  allSeveritiesByDefault: boolean;
}

const RULES: Record<Format, FormatRule> = {
  table: { needsPackages: false, allSeveritiesByDefault: false },
  json: { needsPackages: false, allSeveritiesByDefault: false },
  sarif: { needsPackages: false, allSeveritiesByDefault: true },
  cyclonedx: { needsPackages: true, allSeveritiesByDefault: false },
  spdx: { needsPackages: true, allSeveritiesByDefault: false },
  'spdx-json': { needsPackages: true, allSeveritiesByDefault: false },
  github: { needsPackages: true, allSeveritiesByDefault: false },
  template: { needsPackages: false, allSeveritiesByDefault: false },
};

export function formatNeedsPackages(format: Format): boolean {
  return RULES[format].needsPackages;
}

/** The severities the extra report lists (as trivy-action would write it). */
export function formatSeverities(
  request: FormatRequest,
  severities: readonly Severity[],
): string[] {
  const all = RULES[request.format].allSeveritiesByDefault && !request.limitSeveritiesForSarif;
  return all ? ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] : [...severities];
}

/** `trivy convert` for the request; `template` already resolved to a file (`@/path`). */
export function convertArgs(
  request: FormatRequest,
  report: string,
  severities: readonly Severity[],
  output: string,
): string[] {
  const args = ['convert', '--format', request.format];
  if (request.format === 'template') args.push('--template', request.template);
  args.push('--severity', formatSeverities(request, severities).join(','));
  if (output) args.push('--output', output);
  args.push(report);
  return args;
}

/**
 * Trivy's JSON report without the vulnerabilities no fix exists for (`trivy convert` has no
 * --ignore-unfixed; trivy-action's report would leave them out with ignore-unfixed).
 */
export function withoutUnfixed(json: string): string {
  const doc = JSON.parse(json) as { Results?: { Vulnerabilities?: Record<string, unknown>[] }[] };
  for (const result of doc.Results ?? []) {
    if (!result.Vulnerabilities) continue;
    result.Vulnerabilities = result.Vulnerabilities.filter((v) =>
      typeof v.Status === 'string' && v.Status !== '' ? v.Status === 'fixed' : !!v.FixedVersion,
    );
  }
  return JSON.stringify(doc);
}
