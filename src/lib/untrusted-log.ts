// Printing text Gantry does not own (repository metadata, event fields, values rendered from
// them) so that the runner never obeys a line of it as a workflow command (`::add-mask::`,
// `::error::`, the legacy `##[...]` form), while the log still shows the text as it is.
import * as core from '@actions/core';
import { randomUUID } from 'crypto';

/**
 * Whether the runner would read some line of `text` as a command: a line whose first
 * non-blank characters are `::`, or one holding `##[` anywhere. The runner ends a line at
 * `\n`, `\r\n` and a lone `\r`.
 */
export function couldBeCommand(text: string): boolean {
  return text
    .split(/\r\n|\r|\n/)
    .some((line) => line.trimStart().startsWith('::') || line.includes('##['));
}

/**
 * Print lines that may hold foreign text. When one could be read as a command, all of them go
 * out between `::stop-commands::<token>` and `::<token>::` with a fresh random token (which the
 * text cannot know), so the runner prints them verbatim and obeys none.
 */
export function infoUntrusted(
  lines: string | string[],
  print: (line: string) => void = core.info,
): void {
  const all = typeof lines === 'string' ? [lines] : lines;
  if (all.length === 0) return;
  if (!all.some(couldBeCommand)) {
    for (const line of all) print(line);
    return;
  }
  let token = randomUUID();
  while (all.some((line) => line.includes(token))) token = randomUUID();
  print(`::stop-commands::${token}`);
  for (const line of all) print(line);
  print(`::${token}::`);
}
