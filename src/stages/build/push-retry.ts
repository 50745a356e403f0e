// A push the registry broke off is tried once more. Registries drop blob uploads now and then
// (a 5xx, a reset connection, an upload session that vanished, or two uploads of one layer racing
// when BuildKit pushes the image and the registry cache at once); the second attempt finds every
// step cached and re-sends only what the registry lacks. Refusals (auth, unknown repository, bad
// names) are not retried: they fail the same way again.
import { errorMessage } from '../../lib/errors';

// How BuildKit words a failed image push or registry cache export.
const PUSH_FAILED = /failed to (?:push|export cache)|error writing (?:layer blob|manifest)/i;

const TRANSIENT: RegExp[] = [
  /provided digest did not match uploaded content/i,
  /blob unknown to registry/i,
  /blob upload (?:unknown|invalid)/i,
  /\b(?:500 Internal Server Error|502 Bad Gateway|503 Service Unavailable|504 Gateway Timeout)\b/i,
  /connection reset by peer|broken pipe|unexpected EOF|i\/o timeout|TLS handshake timeout/i,
];

/** The registry's words when a build failed on a push worth trying again, else undefined. */
export function transientPushFailure(message: string): string | undefined {
  if (!PUSH_FAILED.test(message)) return undefined;
  for (const pattern of TRANSIENT) {
    const match = pattern.exec(message);
    if (match) return match[0];
  }
  return undefined;
}

/** Runs a build; when it failed on a transient push error, warns and runs it once more. */
export async function retryingPush<T>(
  build: () => Promise<T>,
  warn: (message: string) => void,
): Promise<T> {
  try {
    return await build();
  } catch (err) {
    const why = transientPushFailure(errorMessage(err));
    if (!why) throw err;
    warn(`The registry broke off the push (${why}); building once more, from the cache.`);
    return await build();
  }
}
