// Which stages run: the `stages` input, resolved against what is built and configured.
import type { InputSource } from './inputs';
import { readList } from './inputs';
import { InputError } from './lib/errors';
import { isVersionedReference } from './lib/image-reference';
import { DECLARED_INPUTS } from './peers/declared-inputs';
import { PEER_NAMES, PEERS } from './peers/peer-inputs';
import { STAGE_NAMES, type StageName } from './stages/types';

interface Selectable {
  name: StageName;
  available: boolean;
}

export function selectStages<T extends Selectable>(source: InputSource, stages: readonly T[]): T[] {
  const requested = readList(source, 'stages').map((name) => name.toLowerCase());
  if (requested.length === 0 || (requested.length === 1 && requested[0] === 'auto')) {
    const pasted = pastedPeerStage(source);
    const wanted = new Set<StageName>(pasted ? [pasted] : ['meta', 'build', 'scan']);
    if (!pasted && source.get('manifests') !== '') wanted.add('deploy');
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

type DeclaredSpec = { default: string | null; stage: string };
const DECLARED = DECLARED_INPUTS as Record<string, DeclaredSpec>;

/** Whether the user set an input: not empty, not the action.yml default (which the runner fills). */
function isGiven(source: InputSource, name: string): boolean {
  const fallback = DECLARED[name]?.default ?? '';
  if (fallback.includes('${{')) return false; // e.g. `${{ github.token }}`: always set
  const value = source.get(name);
  return value !== '' && value !== fallback.trim();
}

/**
 * The stages an input belongs to: its action.yml section, and each peer action naming it.
 * `images` goes by its value's shape: next to `manifests`, references that all carry a tag or
 * digest are k8s-deploy's images to pin; anything else is metadata-action's names to tag.
 */
function stagesOf(source: InputSource, name: string): Set<string> {
  if (name === 'images') {
    const images = readList(source, 'images');
    const pins = source.get('manifests') !== '' && images.every(isVersionedReference);
    return new Set([pins ? 'deploy' : 'meta']);
  }
  const stages = new Set<string>([DECLARED[name]?.stage ?? '']);
  for (const peer of PEER_NAMES) if (name in PEERS[peer].inputs) stages.add(PEERS[peer].stage);
  return stages;
}

/**
 * A `with:` block whose inputs all belong to one stage (its own inputs, or its peer action's)
 * is, typically, that action's step pasted unchanged: `auto` then runs only that stage (the
 * first in pipeline order when several fit, e.g. `images` alone is metadata-action's).
 */
export function pastedPeerStage(source: InputSource): StageName | undefined {
  const given = (source.names?.() ?? []).filter(
    (name) => DECLARED[name]?.stage !== 'pipeline' && isGiven(source, name),
  );
  if (given.length === 0) return undefined;
  const common = given
    .map((name) => stagesOf(source, name))
    .reduce((all, stages) => new Set([...all].filter((stage) => stages.has(stage))));
  return STAGE_NAMES.find((stage) => common.has(stage));
}
