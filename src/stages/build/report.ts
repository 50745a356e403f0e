// The build stage's action outputs and its job summary section.
import { code, table } from '../../lib/markdown';
import type { StageReport } from '../types';
import { checkVerdict, type CheckFinding } from './checks';
import type { BuildResult } from './model';

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const BUILDER_NAMES = {
  buildx: 'docker buildx build',
  'docker-buildkit': 'DOCKER_BUILDKIT=1 docker build (no buildx)',
  'docker-legacy': 'docker build, legacy builder (no buildx)',
};

function findingsTable(findings: CheckFinding[]): string {
  return table(
    ['Level', 'Rule', 'Where', 'Finding'],
    findings.map((finding) => [
      finding.level,
      finding.url ? `[${finding.rule || 'check'}](${finding.url})` : finding.rule || '–',
      finding.sourceFile
        ? code(`${finding.sourceFile}${finding.line ? `:${finding.line}` : ''}`)
        : '–',
      // The message quotes the Dockerfile: a code span keeps its text from rendering as HTML.
      code(finding.message.replace(/\r?\n/g, ' ')),
    ]),
  );
}

/** `call: check|outline|targets`: what buildx said, and for check the verdict. */
function callReport(result: BuildResult, call: NonNullable<BuildResult['call']>): StageReport {
  const lines = [`### Build: call ${call.method}`, ''];
  if (call.method === 'check') {
    lines.push(checkVerdict(call.findings), '');
    if (call.findings.length > 0) lines.push(findingsTable(call.findings));
  } else {
    lines.push('```', call.output.trimEnd(), '```');
  }
  return {
    outputs: { imageid: '', digest: '', metadata: JSON.stringify(result.metadata), image: '' },
    summary: result.summary ? lines.join('\n') + '\n' : '',
    failure: call.failed
      ? `call: ${call.method}: ${call.method === 'check' ? checkVerdict(call.findings) : 'buildx failed'}`
      : undefined,
  };
}

export function buildReport(result: BuildResult): StageReport {
  if (result.call) return callReport(result, result.call);
  const outputs = {
    imageid: result.imageId,
    digest: result.digest,
    metadata: JSON.stringify(result.metadata),
    image: result.image,
  };
  const where = [result.pushed && 'pushed', result.loaded && 'loaded into the engine']
    .filter(Boolean)
    .join(', ');
  const lines = [
    '### Build',
    '',
    table(
      ['Image', 'Digest', 'Size', 'Build time', 'Cached steps'],
      [
        [
          result.image ? code(result.image.split('@')[0]) : '–',
          result.digest ? code(result.digest) : '–',
          formatBytes(result.sizeBytes),
          formatSeconds(result.durationMs),
          `${result.steps.cached} of ${result.steps.total}`,
        ],
      ],
    ),
    '',
    `Built with ${BUILDER_NAMES[result.builder]}${where ? `; ${where}` : ''}.`,
    `Cache plan: ${result.cache.reasons.join('; ') || result.cache.kind}.`,
  ];
  if (result.warnings.length > 0) {
    lines.push(
      '',
      `Build checks: ${checkVerdict(result.warnings)}`,
      '',
      findingsTable(result.warnings),
    );
  }
  if (result.tags.length > 0) {
    lines.push('', '<details><summary>Tags</summary>', '');
    lines.push(...result.tags.map((tag) => `- ${code(tag)}`), '', '</details>');
  }
  // DOCKER_BUILD_SUMMARY=false turns the section off, as it turns off build-push-action's.
  return { outputs, summary: result.summary ? lines.join('\n') + '\n' : '' };
}
