// The reported findings as a SARIF 2.1.0 log, the format github/codeql-action/upload-sarif
// takes for code scanning alerts.
import type { Finding, ScanReport, Severity } from './model';
import { parseImageReference } from '../../lib/image-reference';

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, Level> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  UNKNOWN: 'note',
};

// Code scanning buckets alerts by `security-severity`: >= 9.0 critical, 7.0-8.9 high,
// 4.0-6.9 medium, 0.1-3.9 low. Without a CVSS score, a value inside the finding's band.
const SCORES: Record<Severity, number> = {
  CRITICAL: 9.5,
  HIGH: 8.0,
  MEDIUM: 5.5,
  LOW: 2.0,
  UNKNOWN: 0.0,
};

const TAGS: Record<Finding['kind'], string> = {
  vulnerability: 'vulnerability',
  secret: 'secret',
  misconfiguration: 'misconfiguration',
};

/**
 * Where a finding sits, as a relative URI. Image OS packages have a target like
 * `registry/app:1 (debian 12.5)`: the repository path stands for the image.
 */
export function findingUri(finding: Finding, report: ScanReport): string {
  let uri = finding.target;
  if (report.artifactType === 'container_image' && (uri === '' || / \(.*\)$/.test(uri))) {
    uri = imagePath(report.artifactName);
  }
  return uri.replace(/^\/+/, '').replace(/\\/g, '/') || 'image';
}

/** `127.0.0.1:5000/acme/app:1@sha256:...` -> `acme/app`. */
export function imagePath(reference: string): string {
  // Trivy names the artifact as it was given; whatever follows `@` is not part of the path.
  const withoutDigest = reference.split('@')[0];
  return parseImageReference(withoutDigest)?.path ?? withoutDigest;
}

function ruleHelp(finding: Finding): { text: string; markdown: string } {
  if (finding.kind === 'vulnerability') {
    const fix = finding.fixedVersion
      ? `upgrade to ${finding.fixedVersion}`
      : 'no fixed version yet';
    const text = `${finding.id} (${finding.severity}) in ${finding.pkgName}: ${finding.title}. Fix: ${fix}.`;
    const link = finding.url ? `[${finding.id}](${finding.url})` : finding.id;
    const markdown = [
      `**${link}** — ${finding.severity}`,
      '',
      `| Package | Installed | Fixed |`,
      `| --- | --- | --- |`,
      `| ${finding.pkgName} | ${finding.installedVersion} | ${finding.fixedVersion || 'none yet'} |`,
      '',
      finding.title,
    ].join('\n');
    return { text, markdown };
  }
  const text = [finding.title, finding.message, finding.resolution].filter(Boolean).join('. ');
  const markdown = [
    `**${finding.url ? `[${finding.id}](${finding.url})` : finding.id}** — ${finding.severity}`,
    '',
    finding.title,
    finding.resolution ? `\nFix: ${finding.resolution}` : '',
  ].join('\n');
  return { text, markdown };
}

function resultMessage(finding: Finding): string {
  if (finding.kind === 'vulnerability') {
    const fixed = finding.fixedVersion
      ? `fixed in ${finding.fixedVersion}`
      : 'no fixed version yet';
    return `${finding.id} (${finding.severity}): ${finding.pkgName} ${finding.installedVersion}, ${fixed}. ${finding.title}`;
  }
  return `${finding.id} (${finding.severity}): ${finding.message || finding.title}`;
}

export function toSarif(findings: Finding[], report: ScanReport, trivyVersion: string): object {
  const ruleIndex = new Map<string, number>();
  const rules: object[] = [];
  const results: object[] = [];
  for (const finding of findings) {
    let index = ruleIndex.get(finding.id);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(finding.id, index);
      rules.push({
        id: finding.id,
        name: finding.kind,
        shortDescription: { text: finding.title || finding.id },
        fullDescription: { text: finding.title || finding.id },
        ...(finding.url ? { helpUri: finding.url } : {}),
        help: ruleHelp(finding),
        defaultConfiguration: { level: LEVELS[finding.severity] },
        properties: {
          tags: [TAGS[finding.kind], 'security', finding.severity],
          precision: 'very-high',
          'security-severity': (finding.cvssScore ?? SCORES[finding.severity]).toFixed(1),
        },
      });
    }
    const startLine = finding.startLine ?? 1;
    results.push({
      ruleId: finding.id,
      ruleIndex: index,
      level: LEVELS[finding.severity],
      message: { text: resultMessage(finding) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: findingUri(finding, report), uriBaseId: 'ROOTPATH' },
            region: {
              startLine,
              startColumn: 1,
              endLine: Math.max(finding.endLine ?? startLine, startLine),
              endColumn: 1,
            },
          },
          message: { text: finding.target },
        },
      ],
    });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Trivy',
            fullName: `Trivy ${trivyVersion}`,
            version: trivyVersion,
            semanticVersion: trivyVersion,
            informationUri: 'https://github.com/aquasecurity/trivy',
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
        properties: { artifactName: report.artifactName, artifactType: report.artifactType },
      },
    ],
  };
}
