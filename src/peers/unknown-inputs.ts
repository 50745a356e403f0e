// Nothing in `with:` is silently dropped: the runner passes every `with:` key as an INPUT_*
// variable, declared or not, so before any stage parses, every given name must be declared.
// Only an unknown name loads the peer table (./advice.ts), so a normal start-up stays small.
import { DECLARED_INPUTS } from './declared-inputs';

/**
 * The variable the runner (and @actions/core's getInput) uses for an input: `INPUT_`, then
 * the name upper-cased with spaces as `_` (hyphens stay: `build-args` is INPUT_BUILD-ARGS).
 */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The input names a runner-style environment carries (INPUT_EXIT-CODE -> exit-code). */
export function inputNamesInEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && key.length > 'INPUT_'.length)
    .map((key) => key.slice('INPUT_'.length).toLowerCase());
}

const DECLARED_VARIABLES = new Set(Object.keys(DECLARED_INPUTS).map(inputVariable));

export function unknownInputNames(names: readonly string[]): string[] {
  return names.filter((name) => !DECLARED_VARIABLES.has(inputVariable(name)));
}

/**
 * Throws an InputError naming each unknown input and what to use instead. `valueOf` lets a
 * refused peer input through when its value changes nothing (e.g. `private-cluster: false`).
 */
export async function assertKnownInputs(
  names: readonly string[],
  valueOf: (name: string) => string = () => 'set',
): Promise<void> {
  const unknown = unknownInputNames(names);
  if (unknown.length === 0) return;
  const { unknownInputsError } = await import('./advice');
  const error = unknownInputsError(unknown, valueOf);
  if (error) throw error;
}
