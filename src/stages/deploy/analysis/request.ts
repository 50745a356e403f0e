// One bounded HTTP exchange for the analysis providers: the status and body, or why there is
// none. The socket timeout bounds an idle connection; the deadline here bounds the whole call,
// so a server that trickles bytes cannot stall a rollout step either.
import { errorMessage } from '../../../lib/errors';
import type { Fetch, FetchInit } from '../../../lib/http-fetch';

export type Exchange = { status: number; body: string } | { error: string };

export async function exchange(
  fetch: Fetch,
  url: string,
  init: FetchInit,
  timeoutSeconds: number,
): Promise<Exchange> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Exchange>((resolve) => {
    timer = setTimeout(
      () => resolve({ error: `no answer within ${timeoutSeconds} s` }),
      timeoutSeconds * 1000,
    );
    timer.unref();
  });
  const call = (async (): Promise<Exchange> => {
    const response = await fetch(url, init);
    return { status: response.status, body: await response.text() };
  })().catch((err: unknown) => ({ error: errorMessage(err) }));
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The start of a body for an error message: one line, bounded. */
export function bodyExcerpt(body: string, limit = 200): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}
