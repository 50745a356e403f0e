// The meta stage: docker/metadata-action v5 inputs in, image version, tags, labels and
// annotations out. Resolves the git and repository facts, then computes everything purely.
import * as core from '@actions/core';
import type { Context } from '../../context';
import { infoUntrusted } from '../../lib/untrusted-log';
import type { Stage } from '../types';
import { writeBakeFiles } from './bake-file';
import { readGitCheckout } from './git-context';
import { parseMetaInputs, type MetaInputs } from './inputs';
import { computeMetadata, metaFacts, type MetaFacts } from './metadata';
import type { MetaResult } from './model';
import { commitDateFromPayload, workflowRef } from './ref-context';
import { RepositoryApi } from './repository';
import { metaOutputs, metaReport, outputEnvName } from './report';

export const metaStage: Stage<MetaInputs, MetaResult> = {
  name: 'meta',
  parseInputs: (source, ctx) => parseMetaInputs(source, ctx),
  run: async (inputs, ctx) => {
    for (const warning of inputs.warnings) core.warning(warning);
    const facts = await resolveFacts(inputs, ctx);
    // Refs, and everything rendered from the repository's metadata (its description is
    // anybody's text), are printed so that no line of them is run as a workflow command.
    infoUntrusted([
      `event: ${facts.ref.eventName}`,
      `ref: ${facts.ref.ref}`,
      `sha: ${facts.ref.sha}`,
    ]);
    if (facts.commitDate) core.info(`commit date: ${facts.commitDate.toISOString()}`);
    const { result, warnings } = computeMetadata(inputs, facts);
    for (const warning of warnings) core.warning(warning);
    infoUntrusted([
      `version: ${result.version}`,
      ...result.tags.map((tag) => `tag: ${tag}`),
      ...result.labels.map((label) => `label: ${label}`),
      ...result.annotations.map((annotation) => `annotation: ${annotation}`),
    ]);
    result.bakeFiles = writeBakeFiles(result, inputs.bakeTarget);
    core.info(`bake file: ${result.bakeFiles.all}`);
    if (inputs.exportOutputEnv) {
      // As docker/metadata-action does, for later steps written against its variables.
      for (const [name, value] of Object.entries(metaOutputs(result, inputs))) {
        core.exportVariable(outputEnvName(name), value);
      }
    }
    return result;
  },
  report: metaReport,
};

async function resolveFacts(inputs: MetaInputs, ctx: Context): Promise<MetaFacts> {
  const api = new RepositoryApi(inputs.githubToken, ctx);
  let ref: string;
  let sha: string;
  let commitDate: Date | undefined;
  if (inputs.refSource === 'git') {
    ({ ref, sha, commitDate } = await readGitCheckout(ctx.workspace));
  } else {
    ({ ref, sha } = workflowRef(ctx, inputs.prHeadSha));
    if (inputs.needsCommitDate) {
      commitDate =
        commitDateFromPayload(ctx.payload, sha) ?? (await api.commitDate(sha, inputs.now));
    }
  }
  return metaFacts(ctx, { ref, sha, commitDate }, await api.repository());
}
