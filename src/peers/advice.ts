// What to tell a user about an input Gantry does not declare: the peer table's refusal or
// replacement when it is a peer's input, else the nearest declared name.
import { InputError } from '../lib/errors';
import { DECLARED_INPUTS } from './declared-inputs';
import { clashOf, peerRows, type PeerRowOf } from './table';
import { inputVariable } from './unknown-inputs';

const q = (name: string) => `"${name}"`;

function peersOf(rows: PeerRowOf[]): string {
  return rows.map((r) => r.peer).join(' and ');
}

/** Advice for a peer input that action.yml does not declare (its rows share one name). */
function peerAdvice(rows: PeerRowOf[]): string {
  const refused = rows.find((r) => r.row.kind === 'refused');
  if (refused && refused.row.kind === 'refused') {
    return `${refused.peer}'s input, which Gantry refuses: ${refused.row.why}; instead, ${refused.row.instead}.`;
  }
  const alias = rows.find((r) => r.row.kind === 'alias');
  if (alias && alias.row.kind === 'alias') {
    return `${alias.peer}'s name for Gantry's ${q(alias.row.of)}, not accepted under that name by this version of Gantry: use ${q(alias.row.of)} instead.`;
  }
  const feeds = (clashOf(rows[0].input)?.feeds ?? []).filter((name) => name !== rows[0].input);
  const use = feeds.length > 0 ? `; the nearest Gantry input is ${feeds.map(q).join(' or ')}` : '';
  return `${peersOf(rows)}'s input, which this version of Gantry does not support yet${use}. Remove it (see "Moving over" in Gantry's README).`;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_]/g, '-');
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The declared input a misspelt name most likely meant, if one is close enough. */
export function nearestInput(name: string): string | undefined {
  const wanted = normalise(name);
  const limit = Math.max(1, Math.floor(wanted.length / 4));
  let best: { name: string; d: number } | undefined;
  for (const candidate of Object.keys(DECLARED_INPUTS)) {
    const d = distance(wanted, candidate);
    if (d <= limit && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}

/** The detail of the error for one unknown input name. */
export function unknownInputAdvice(name: string): string {
  const rows = peerRows().filter((r) => inputVariable(r.input) === inputVariable(name));
  if (rows.length > 0) return `not an input of Gantry: it is ${peerAdvice(rows)}`;
  const near = nearestInput(name);
  const hint = near
    ? `did you mean ${q(near)}?`
    : `see the inputs in the README's Reference (from action.yml)`;
  return `not an input of Gantry (nothing in \`with:\` is ignored); ${hint}`;
}

/** Whether a refused peer input's value changes nothing (empty, or a no-op the table lists). */
function isNoop(name: string, value: string): boolean {
  const rows = peerRows().filter((r) => inputVariable(r.input) === inputVariable(name));
  const noop = rows.flatMap((r) => (r.row.kind === 'refused' ? (r.row.noop ?? []) : []));
  const normal = value.trim().toLowerCase();
  return (
    rows.length > 0 &&
    rows.every((r) => r.row.kind === 'refused') &&
    (normal === '' || noop.includes(normal))
  );
}

/** The error for the unknown inputs, or undefined when each is a refused input's no-op. */
export function unknownInputsError(
  names: readonly string[],
  valueOf: (name: string) => string,
): InputError | undefined {
  const [first, ...rest] = names.filter((name) => !isNoop(name, valueOf(name)));
  if (first === undefined) return undefined;
  const others = rest.map((name) => `\nInput ${q(name)}: ${unknownInputAdvice(name)}`).join('');
  return new InputError(first, unknownInputAdvice(first) + others);
}
