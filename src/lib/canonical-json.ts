// JSON with sorted keys, so the same object always gives the same text (two reads of an object
// compared, a pod template fingerprinted).
export function canonicalJson(value: unknown): string {
  return sortedJson(value, (text) => JSON.stringify(text));
}

/**
 * What Go's encoding/json writes for a decoded JSON value, as kubectl stores it in an
 * annotation: keys sorted, and `<`, `>`, `&`, U+2028 and U+2029 escaped as \u sequences
 * (the encoder's HTML-safe default); everything else as JSON.stringify writes it.
 */
export function goJson(value: unknown): string {
  return sortedJson(value, (text) =>
    JSON.stringify(text).replace(
      /[<>&\u2028\u2029]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
}

function sortedJson(value: unknown, string: (text: string) => string): string {
  if (Array.isArray(value)) return `[${value.map((item) => sortedJson(item, string)).join(',')}]`;
  if (typeof value === 'string') return string(value);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${string(k)}:${sortedJson(v, string)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
