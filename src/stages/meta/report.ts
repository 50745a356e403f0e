// The meta stage's outputs (joined by the sep-* inputs, plus `json`) and its job summary.
import { code, table } from '../../lib/markdown';
import type { StageReport } from '../types';
import type { MetaInputs } from './inputs';
import { labelObject } from './labels';
import type { MetaResult } from './model';

export function metaReport(result: MetaResult, inputs: MetaInputs): StageReport {
  const json = {
    tags: result.tags,
    labels: labelObject(result.labels),
    annotations: result.annotations,
  };
  return {
    outputs: {
      version: result.version,
      tags: result.tags.join(inputs.separators.tags),
      labels: result.labels.join(inputs.separators.labels),
      annotations: result.annotations.join(inputs.separators.annotations),
      json: JSON.stringify(json),
    },
    summary: metaSummary(result),
  };
}

export function metaSummary(result: MetaResult): string {
  const lines = ['### Image metadata', ''];
  lines.push(result.version ? `Version ${code(result.version)}` : 'No version for this ref.', '');
  if (result.tags.length > 0) {
    lines.push(
      table(
        ['Tag'],
        result.tags.map((tag) => [code(tag)]),
      ),
      '',
    );
  } else {
    lines.push('No tags were generated: check the `tags` input.', '');
  }
  const labels = result.labels.map((label) => {
    const at = label.indexOf('=');
    return [code(label.slice(0, at)), label.slice(at + 1)];
  });
  lines.push(table(['Label', 'Value'], labels), '');
  return lines.join('\n');
}
