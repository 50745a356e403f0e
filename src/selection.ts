// Which stages run: the `stages` input, resolved against what is built and configured.
import type { InputSource } from './inputs';
import { readList } from './inputs';
import { InputError } from './lib/errors';
import { isVersionedReference } from './lib/image-reference';
import { STAGE_NAMES, type StageName } from './stages/types';

interface Selectable {
  name: StageName;
  available: boolean;
}

export function selectStages<T extends Selectable>(source: InputSource, stages: readonly T[]): T[] {
  const requested = readList(source, 'stages').map((name) => name.toLowerCase());
  if (requested.length === 0 || (requested.length === 1 && requested[0] === 'auto')) {
    const wanted = new Set<StageName>(['meta', 'build', 'scan']);
    if (source.get('manifests') !== '') wanted.add('deploy');
    // k8s-deploy's step (manifests, and `images` as tagged or digest references, which
    // metadata-action's `images` never are): it deploys images built elsewhere.
    const images = readList(source, 'images');
    if (wanted.has('deploy') && images.length > 0 && images.every(isVersionedReference)) {
      return stages.filter((stage) => stage.available && stage.name === 'deploy');
    }
    return stages.filter((stage) => stage.available && wanted.has(stage.name));
  }
  for (const name of requested) {
    if (name === 'auto') {
      throw new InputError('stages', '`auto` cannot be combined with stage names');
    }
    if (!(STAGE_NAMES as readonly string[]).includes(name)) {
      throw new InputError(
        'stages',
        `unknown stage "${name}"; use auto or a list of ${STAGE_NAMES.join(', ')}`,
      );
    }
  }
  for (const name of requested) {
    const stage = stages.find((s) => s.name === name);
    if (!stage?.available) {
      throw new InputError('stages', `the ${name} stage is not available in this version yet`);
    }
  }
  return stages.filter((stage) => requested.includes(stage.name));
}

/** The names of the stages that run, for inputs whose meaning depends on it (`images`). */
export function selectedStageNames(source: InputSource): StageName[] {
  return selectStages(
    source,
    STAGE_NAMES.map((name) => ({ name, available: true })),
  ).map((stage) => stage.name);
}
