// Small Markdown builders for the job summary and PR comments, and the one escape for text
// Gantry does not own (finding titles, package names, secret matches from a PR's files).

/**
 * Text that GitHub renders as the same plain text and nothing else: no HTML (`<img>`,
 * `<details open>`, a `<!--` that hides the rest), no links or images, no emphasis, no table
 * breaks, no @-mentions, no #-references, no bare-URL autolinks. One line.
 */
export function inert(value: string): string {
  return (
    value
      .replace(/\r?\n|\r/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Markdown's inline syntax (links, images, emphasis, code, strikethrough, tables, math).
      .replace(/[\\`*_{}[\]()!~#$]/g, '\\$&')
      // An entity, not a backslash: GitHub splits table cells before it reads escapes.
      .replace(/\|/g, '&#124;')
      // A zero-width space keeps @team and a@b.example from becoming a mention or a mailto,
      // and scheme:// or www. from becoming a link.
      .replace(/@/g, '@\u200b')
      .replace(/:\/\//g, ':\u200b//')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`)
  );
}

/**
 * A link Gantry makes: only http(s) URLs, with the characters that could end the `(...)`
 * early percent-encoded; anything else is shown as inert text.
 */
export function link(text: string, url: string | undefined): string {
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return inert(text);
  const href = parsed.href.replace(
    /[()<>\s"'`|\\[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `[${inert(text)}](${href})`;
}

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

/** A code span; the value stays literal (GitHub renders nothing inside but the text). */
export function code(value: string): string {
  return '`' + value.replace(/`/g, "'").replace(/\r?\n|\r/g, ' ') + '`';
}
