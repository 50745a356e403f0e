// Small Markdown builders for the job summary and PR comments.

/** Escape characters that would break a table cell. */
export function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line)].join(
    '\n',
  );
}

export function code(value: string): string {
  return '`' + value.replace(/`/g, "'") + '`';
}

/**
 * Text from outside Gantry (provider answers, error bodies) as plain text in a table cell or a
 * line of prose: no HTML, no table break, no Markdown syntax, no mentions.
 */
export function plain(value: string): string {
  return value
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!~#@]/g, '\\$&');
}
