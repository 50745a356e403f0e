// The one place that reads action inputs. Stages receive an InputSource and parse their own
// typed inputs from it with the readers below, so the CLI and tests can feed the same code.
import * as core from '@actions/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from './lib/errors';
import { inputNamesInEnv } from './peers/unknown-inputs';

export interface InputSource {
  /** The raw value, trimmed unless `trim: false` (separators like "\n" must survive). */
  get(name: string, options?: { trim?: boolean }): string;
  /** Every input name given (declared or not), for the pipeline's unknown-input check. */
  names?(): string[];
}

/** Inputs as the Actions runner passes them (INPUT_<NAME> environment variables). */
export function actionInputs(): InputSource {
  return {
    get: (name, options) => core.getInput(name, { trimWhitespace: options?.trim ?? true }),
    names: () => inputNamesInEnv(process.env),
  };
}

/** Inputs from a plain map (CLI flags, YAML file, tests). Missing names read as ''. */
export function mapInputs(values: Record<string, string | undefined>): InputSource {
  return {
    get: (name, options) => {
      const value = values[name] ?? '';
      return options?.trim === false ? value : value.trim();
    },
    names: () => Object.keys(values).filter((name) => values[name] !== undefined),
  };
}

/**
 * A list input: one item per line, and unless `ignoreComma`, several comma separated items
 * per line with CSV quoting (so `"a,b",c` is two items). Empty items and `#` comments drop out.
 */
export function readList(
  source: InputSource,
  name: string,
  options: { ignoreComma?: boolean; quote?: string | false } = {},
): string[] {
  return parseList(source.get(name), name, options);
}

export function parseList(
  raw: string,
  name: string,
  options: { ignoreComma?: boolean; quote?: string | false } = {},
): string[] {
  if (raw.trim() === '') return [];
  let records: string[][];
  try {
    records = parseCsv(raw, {
      columns: false,
      relaxQuotes: true,
      relaxColumnCount: true,
      skipEmptyLines: true,
      comment: '#',
      quote: options.quote ?? '"',
      delimiter: options.ignoreComma ? '\n' : ',',
    }) as string[][];
  } catch (err) {
    throw new InputError(name, `cannot parse the list: ${(err as Error).message}`);
  }
  return records
    .flat()
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Lines of a multi-line input, trimmed, without empty lines. */
export function readLines(source: InputSource, name: string): string[] {
  return source
    .get(name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

/** A boolean input in the YAML 1.2 core schema, as @actions/core accepts it. */
export function readBoolean(source: InputSource, name: string, fallback: boolean): boolean {
  const value = source.get(name);
  if (value === '') return fallback;
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  throw new InputError(name, `"${value}" is not a boolean; use true or false`);
}

/** One of a fixed set of words (case-insensitive); the error lists the choices. */
export function readChoice<T extends string>(
  source: InputSource,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = source.get(name).toLowerCase();
  if (value === '') return fallback;
  const match = choices.find((choice) => choice.toLowerCase() === value);
  if (!match) {
    throw new InputError(name, `"${source.get(name)}" is not one of ${choices.join(', ')}`);
  }
  return match;
}
