// The `flavor` input: `latest=auto|true|false`, `prefix=...` and `suffix=...` for every tag,
// each optionally followed by `onlatest=true` to put it on the `latest` tag as well.
import { InputError } from '../../lib/errors';
import { splitAttribute, splitFields } from './lines';
import type { Flavor, LatestMode } from './model';
import { GLOBAL_NAMES, templateProblem } from './templates';

const INPUT = 'flavor';
const LATEST_MODES: readonly LatestMode[] = ['auto', 'true', 'false'];

export const DEFAULT_FLAVOR: Flavor = {
  latest: 'auto',
  prefix: '',
  prefixLatest: false,
  suffix: '',
  suffixLatest: false,
};

export function parseFlavor(lines: string[]): Flavor {
  const flavor = { ...DEFAULT_FLAVOR };
  for (const line of lines) {
    // `onlatest` refers to the prefix or suffix written before it on the same line.
    let onlatestFor: 'prefix' | 'suffix' | undefined;
    for (const field of splitFields(line, INPUT)) {
      const { key, value } = splitAttribute(field);
      const fail = (detail: string) => new InputError(INPUT, `${detail} in "${line}"`);
      switch (key) {
        case undefined:
          throw fail(`"${field}" is not a key=value entry (latest=, prefix=, suffix=, onlatest=)`);
        case 'latest':
          if (!LATEST_MODES.includes(value as LatestMode)) {
            throw fail(`latest must be auto, true or false, not "${value}"`);
          }
          flavor.latest = value as LatestMode;
          break;
        case 'prefix':
        case 'suffix': {
          const problem = templateProblem(value, GLOBAL_NAMES);
          if (problem) throw fail(`${key}: ${problem}`);
          flavor[key] = value;
          onlatestFor = key;
          break;
        }
        case 'onlatest':
          if (!['true', 'false'].includes(value)) {
            throw fail(`onlatest must be true or false, not "${value}"`);
          }
          if (!onlatestFor) throw fail('onlatest must follow prefix= or suffix=');
          flavor[onlatestFor === 'prefix' ? 'prefixLatest' : 'suffixLatest'] = value === 'true';
          break;
        default:
          throw fail(`unknown flavor "${key}" (use latest, prefix, suffix, onlatest)`);
      }
    }
  }
  return flavor;
}
