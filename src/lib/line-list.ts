// Multi-line inputs with one item per line where values may hold commas, `#` and quotes
// (secrets, build args, labels): a `#` starts a comment only at the start of a line, and an
// item wrapped in double quotes may span lines (`""` is a literal quote), as in CSV.
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from './errors';

export function parseLineList(raw: string, inputName: string): string[] {
  if (raw.trim() === '') return [];
  let records: string[][];
  try {
    records = parseCsv(raw, {
      columns: false,
      delimiter: '\n',
      relaxQuotes: true,
      relaxColumnCount: true,
      skipEmptyLines: true,
      comment: '#',
      // Without this a password like `abc#def` would be cut at the `#`.
      comment_no_infix: true,
      // Around an item, not inside quotes: a quoted key keeps its final newline (OpenSSH
      // refuses a private key without one), as build-push-action keeps it.
      trim: true,
    }) as string[][];
  } catch {
    // The parser's message quotes the text, which may be a secret: name the input only.
    throw new InputError(inputName, `cannot read the list (an unclosed double quote?)`);
  }
  return records.flat().filter((item) => item.trim() !== '' && !item.startsWith('#'));
}

/** Splits `key=value` at the first `=`; undefined when there is no `=` or no key. */
export function splitKeyValue(item: string): { key: string; value: string } | undefined {
  const at = item.indexOf('=');
  if (at <= 0) return undefined;
  const key = item.slice(0, at).trim();
  if (key === '') return undefined;
  return { key, value: item.slice(at + 1) };
}
