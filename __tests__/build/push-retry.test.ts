// A build that failed on a push the registry broke off is run once more; any other failure is
// reported as it is, after one attempt.
import { retryingPush, transientPushFailure } from '../../src/stages/build/push-retry';

// As the testbed's registry answered two uploads of one layer racing (image and cache export).
const RACED =
  '#16 ERROR: error writing layer blob: failed to do request: Head "https://127.0.0.1:5000/v2/app/blobs/sha256:81e8": ' +
  'failed to push 127.0.0.1:5000/app:1.2.3: errors:\nunknown: provided digest did not match uploaded content\n' +
  'unknown: blob unknown to registry - sha256:401c';

describe('transientPushFailure', () => {
  it.each([
    ['two uploads of one layer racing', RACED, 'provided digest did not match uploaded content'],
    [
      'a vanished upload session',
      'ERROR: failed to push ghcr.io/acme/app:1: blob upload unknown to registry',
      'blob upload unknown',
    ],
    [
      'a registry 5xx',
      'failed to push ghcr.io/acme/app:1: unexpected status from PUT request: 502 Bad Gateway',
      '502 Bad Gateway',
    ],
    [
      'a reset connection while exporting the cache',
      'ERROR: failed to export cache: write tcp 10.0.0.2:443: connection reset by peer',
      'connection reset by peer',
    ],
  ])('retries %s', (_case, message, why) => {
    expect(transientPushFailure(message)).toBe(why);
  });

  it.each([
    [
      'a refused login',
      'failed to push ghcr.io/acme/app:1: unexpected status from HEAD request: 401 Unauthorized',
    ],
    [
      'a denied push',
      'failed to push ghcr.io/acme/app:1: denied: permission_denied: write_package',
    ],
    [
      'a failing RUN step',
      'process "/bin/sh -c make" did not complete successfully: exit code: 2 (unexpected EOF)',
    ],
    [
      'a Dockerfile error',
      'failed to solve: dockerfile parse error on line 3: unknown instruction',
    ],
  ])('does not retry %s', (_case, message) => {
    expect(transientPushFailure(message)).toBeUndefined();
  });
});

describe('retryingPush', () => {
  it('builds once more after a transient push failure, and says why', async () => {
    const warnings: string[] = [];
    let attempts = 0;
    const result = await retryingPush(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error(RACED);
        return 'log of the second build';
      },
      (message) => warnings.push(message),
    );
    expect([result, attempts]).toEqual(['log of the second build', 2]);
    expect(warnings).toEqual([
      'The registry broke off the push (provided digest did not match uploaded content); building once more, from the cache.',
    ]);
  });

  it('gives up after the second attempt', async () => {
    let attempts = 0;
    const build = async () => {
      attempts += 1;
      throw new Error(RACED);
    };
    await expect(retryingPush(build, () => undefined)).rejects.toThrow(/provided digest/);
    expect(attempts).toBe(2);
  });

  it('reports any other failure after one attempt', async () => {
    let attempts = 0;
    const build = async () => {
      attempts += 1;
      throw new Error('failed to push ghcr.io/acme/app:1: 403 Forbidden');
    };
    await expect(retryingPush(build, () => undefined)).rejects.toThrow(/403 Forbidden/);
    expect(attempts).toBe(1);
  });
});
