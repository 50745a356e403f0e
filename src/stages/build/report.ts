// The build stage's action outputs and its job summary section.
import { code, table } from '../../lib/markdown';
import type { StageReport } from '../types';
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

export function buildReport(result: BuildResult): StageReport {
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
  if (result.tags.length > 0) {
    lines.push('', '<details><summary>Tags</summary>', '');
    lines.push(...result.tags.map((tag) => `- ${code(tag)}`), '', '</details>');
  }
  return { outputs, summary: lines.join('\n') + '\n' };
}
