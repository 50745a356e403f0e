// The meta stage: docker/metadata-action v5 inputs in, image version, tags, labels and
// annotations out. Resolves the git and repository facts, then computes everything purely.
import * as core from '@actions/core';
import type { Context } from '../../context';
import type { Stage } from '../types';
import { readGitCheckout } from './git-context';
import { parseMetaInputs, type MetaInputs } from './inputs';
import { computeMetadata, metaFacts, type MetaFacts } from './metadata';
import type { MetaResult } from './model';
import { commitDateFromPayload, workflowRef } from './ref-context';
import { RepositoryApi } from './repository';
import { metaReport } from './report';

export const metaStage: Stage<MetaInputs, MetaResult> = {
  name: 'meta',
  parseInputs: (source, ctx) => parseMetaInputs(source, ctx),
  run: async (inputs, ctx) => {
    const facts = await resolveFacts(inputs, ctx);
    core.info(`event: ${facts.ref.eventName}`);
    core.info(`ref: ${facts.ref.ref}`);
    core.info(`sha: ${facts.ref.sha}`);
    if (facts.commitDate) core.info(`commit date: ${facts.commitDate.toISOString()}`);
    const { result, warnings } = computeMetadata(inputs, facts);
    for (const warning of warnings) core.warning(warning);
    core.info(`version: ${result.version}`);
    for (const tag of result.tags) core.info(`tag: ${tag}`);
    for (const label of result.labels) core.info(`label: ${label}`);
    for (const annotation of result.annotations) core.info(`annotation: ${annotation}`);
    if (inputs.exportOutputEnv) {
      // As docker/metadata-action does, for later steps written against its variables.
      for (const [name, value] of Object.entries(metaReport(result, inputs).outputs)) {
        core.exportVariable(`DOCKER_METADATA_OUTPUT_${name.toUpperCase()}`, value);
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
