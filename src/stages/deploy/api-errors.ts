// What kubectl's failure text means: the API server could not be reached or answered 5xx (try
// again: nothing is known about the rollout), the wait ran out, or a real verdict. Only a
// verdict may roll a release back.

// kubectl's wording for connections that failed, stalled or broke, and for 5xx/429 answers.
const TRANSPORT_PATTERNS: RegExp[] = [
  /The connection to the server \S+ was refused/i,
  /Unable to connect to the server/i,
  /connection refused/i,
  /connection reset/i,
  /broken pipe/i,
  /TLS handshake timeout/i,
  /i\/o timeout/i,
  /\bEOF\b/,
  /no route to host/i,
  /network is unreachable/i,
  /http2: (?:client connection lost|server sent GOAWAY)/i,
  /net\/http: request canceled/i,
  /Client\.Timeout exceeded/i,
  /context deadline exceeded/i,
  /an error on the server \(.*\) has prevented the request from succeeding/i,
  /Error from server \((?:InternalError|ServiceUnavailable|Timeout|TooManyRequests|ServerTimeout)\)/i,
  /the server is currently unable to handle the request/i,
  /the server was unable to return a response in the time allotted/i,
  /status code:? 5\d\d\b/i,
];

/** The API server could not be reached or failed the request (5xx): a retry may succeed. */
export function isTransportError(text: string): boolean {
  return TRANSPORT_PATTERNS.some((pattern) => pattern.test(text));
}

/** `kubectl rollout status --timeout` / `kubectl wait --timeout` ran out of time. */
export function isWaitTimeout(text: string): boolean {
  return /timed out waiting for the condition/i.test(text) && !isTransportError(text);
}

/** The last progress line of `kubectl rollout status` ("3 of 4 updated replicas are available"). */
export function lastProgress(stdout: string): string | undefined {
  const lines = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^Waiting for|successfully rolled out|replicas/i.test(line));
  return lines.at(-1);
}

/** The first line that says what went wrong, for one-line messages. */
export function firstErrorLine(text: string): string {
  const all = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  // kubectl's own summary line beats client-go's log lines (`E1201 21:01:33.337873 ...`).
  const plain = all.filter((line) => !/^[EIWF]\d{4} \d\d:\d\d/.test(line));
  const lines = plain.length > 0 ? plain : all;
  return lines.find((line) => /error|unable|refused|timeout/i.test(line)) ?? lines[0] ?? '';
}

/** Delays between retries: 0.5 s doubling to 4 s. */
export function backoffMs(attempt: number): number {
  return Math.min(4000, 500 * 2 ** attempt);
}
