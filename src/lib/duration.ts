// Durations as users write them for kubectl and Go tools ("90s", "5m", "1h30m"), in seconds.

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses a Go-style duration ("5m", "1m30s", "250ms") or a bare number, of seconds unless
 * `bareUnit` says otherwise (k8s-deploy's `timeout` counts bare numbers in minutes). Returns
 * undefined when the text is not a duration, so callers can name the input at fault.
 */
export function parseDuration(text: string, bareUnit: 's' | 'm' = 's'): number | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * UNIT_SECONDS[bareUnit];
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let seconds = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    seconds += Number(part[1]) * UNIT_SECONDS[part[2]];
  }
  return seconds;
}

/** Seconds as a kubectl --timeout value (whole seconds, at least 1). */
export function kubectlDuration(seconds: number): string {
  return `${Math.max(1, Math.ceil(seconds))}s`;
}
