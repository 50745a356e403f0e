// The meta stage's outputs (joined by the sep-* inputs, plus `json`) and its job summary.
import { code, table } from '../../lib/markdown';
import type { StageReport } from '../types';
import type { MetaInputs } from './inputs';
import { labelObject } from './labels';
import type { MetaResult } from './model';

export function metaReport(result: MetaResult, inputs: MetaInputs): StageReport {
  return { outputs: metaOutputs(result, inputs), summary: metaSummary(result) };
}

/** docker/metadata-action's outputs, in its order (tag names use the tags separator too). */
export function metaOutputs(result: MetaResult, inputs: MetaInputs): Record<string, string> {
  const json = {
    tags: result.tags,
    'tag-names': result.tagNames,
    labels: labelObject(result.labels),
    annotations: result.annotations,
  };
  const outputs: Record<string, string> = {
    version: result.version,
    tags: result.tags.join(inputs.separators.tags),
    'tag-names': result.tagNames.join(inputs.separators.tags),
    labels: result.labels.join(inputs.separators.labels),
    annotations: result.annotations.join(inputs.separators.annotations),
    json: JSON.stringify(json),
  };
  if (result.bakeFiles) {
    outputs['bake-file-tags'] = result.bakeFiles.tags;
    outputs['bake-file-labels'] = result.bakeFiles.labels;
    outputs['bake-file-annotations'] = result.bakeFiles.annotations;
    outputs['bake-file'] = result.bakeFiles.all;
  }
  return outputs;
}

/** DOCKER_METADATA_OUTPUT_TAG_NAMES for `tag-names`: the variable names the peer exports. */
export function outputEnvName(output: string): string {
  return `DOCKER_METADATA_OUTPUT_${output.replace(/\W/g, '_').toUpperCase()}`;
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
