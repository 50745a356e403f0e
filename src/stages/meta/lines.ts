// How the meta inputs are split: one entry per line (`#` lines are comments), and within an
// entry CSV fields (`type=match,"pattern=\d{1,3}"`), as docker/metadata-action reads them.
import { parse as parseCsv } from 'csv-parse/sync';
import type { InputSource } from '../../inputs';
import { readLines } from '../../inputs';
import { InputError } from '../../lib/errors';

/**
 * Non-empty lines of a list input, without the `#` comment lines. A `#` later in a line is
 * text (`type=raw,value=foo#bar`, `description=Fixes #12`), as in docker/metadata-action.
 */
export function readEntries(source: InputSource, name: string): string[] {
  return readLines(source, name).filter((line) => !line.startsWith('#'));
}

/** The comma separated fields of one entry; CSV quotes protect commas inside a field. */
export function splitFields(line: string, input: string): string[] {
  // Without quotes CSV is a plain comma split; the parser is only needed (and only paid for
  // at start-up) when a field is quoted.
  if (!line.includes('"')) return tidy(line.split(','));
  let records: string[][];
  try {
    records = parseCsv(line, {
      relaxColumnCount: true,
      relaxQuotes: true,
      skipEmptyLines: true,
    }) as string[][];
  } catch (err) {
    throw new InputError(input, `cannot parse "${line}": ${(err as Error).message}`);
  }
  return tidy(records[0] ?? []);
}

function tidy(fields: string[]): string[] {
  return fields.map((field) => field.trim()).filter((field) => field !== '');
}

/** `key=value` split at the first `=`; a field without `=` has no key. */
export function splitAttribute(field: string): { key?: string; value: string } {
  const at = field.indexOf('=');
  if (at < 0) return { value: field.trim() };
  return { key: field.slice(0, at).trim().toLowerCase(), value: field.slice(at + 1).trim() };
}

/** A whole line in double quotes is one CSV field: unwrap it (labels, annotations). */
export function unquoteLine(line: string): string {
  if (line.length >= 2 && line.startsWith('"') && line.endsWith('"')) {
    return line.slice(1, -1).replace(/""/g, '"');
  }
  return line;
}
