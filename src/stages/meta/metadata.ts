// Everything the meta stage outputs, from parsed inputs and the resolved git and repository
// facts. Pure: resolving those facts (git, API) happens in index.ts.
import type { Context } from '../../context';
import type { MetaInputs } from './inputs';
import { mergeAnnotations, mergeLabels, ociLabels } from './labels';
import type { MetaResult, RefContext, RepositoryInfo } from './model';
import type { TemplateScope } from './templates';
import { renderTemplate } from './templates';
import { computeVersion, imageTags, tagNames } from './version';

export interface MetaFacts {
  ref: RefContext;
  repository: RepositoryInfo;
  commitDate?: Date;
}

export interface Metadata {
  result: MetaResult;
  /** Things a user should look at that do not fail the step (a ref that yields no tag). */
  warnings: string[];
}

/** The facts of a run once its ref, commit (and maybe commit date) and repository are known. */
export function metaFacts(
  ctx: Context,
  commit: { ref: string; sha: string; commitDate?: Date },
  repository: RepositoryInfo,
): MetaFacts {
  return {
    ref: {
      eventName: ctx.eventName,
      ref: commit.ref,
      sha: commit.sha,
      payload: ctx.payload,
      defaultBranch: repository.defaultBranch ?? ctx.defaultBranch,
    },
    repository,
    commitDate: commit.commitDate,
  };
}

export function templateScope(inputs: MetaInputs, facts: MetaFacts): TemplateScope {
  return {
    eventName: facts.ref.eventName,
    ref: facts.ref.ref,
    sha: facts.ref.sha,
    payload: facts.ref.payload,
    now: inputs.now,
    commitDate: facts.commitDate,
    shortShaLength: inputs.shortShaLength,
  };
}

export function computeMetadata(inputs: MetaInputs, facts: MetaFacts): Metadata {
  const scope = templateScope(inputs, facts);
  const version = computeVersion(inputs.tags, inputs.flavor, {
    ...scope,
    defaultBranch: facts.ref.defaultBranch,
  });
  const warnings = [...version.warnings];
  const names = tagNames(version, inputs.flavor, scope);
  if (names.length === 0) {
    warnings.push(
      `No image tag was generated for ${facts.ref.ref || 'this run'} (event ${facts.ref.eventName}); ` +
        'check the tags input',
    );
  }
  const generated = ociLabels({
    repository: facts.repository,
    version: version.main ?? '',
    created: inputs.now,
    revision: facts.ref.sha,
  });
  const render = (entries: MetaInputs['labels']) =>
    entries.map((entry) => ({ ...entry, value: renderTemplate(entry.value, scope) }));
  return {
    result: {
      version: version.main ?? '',
      images: inputs.images.filter((image) => image.enable).map((image) => image.name),
      tags: imageTags(inputs.images, names),
      tagNames: names,
      latest: version.latest && names.length > 0,
      labels: mergeLabels(generated, render(inputs.labels)),
      annotations: mergeAnnotations(generated, render(inputs.annotations), inputs.annotationLevels),
    },
    warnings,
  };
}
