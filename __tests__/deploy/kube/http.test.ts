import { isTransportAnswer } from '../../../src/stages/deploy/kube/http';

const status = (code: number, reason: string | undefined, message = 'something') =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

// Which answers mean "try again" (no verdict) and which are the server's verdict.
describe('isTransportAnswer', () => {
  it.each([
    [200, '{}', false],
    [404, status(404, 'NotFound'), false],
    [409, status(409, 'Conflict'), false],
    [422, status(422, 'Invalid'), false],
    [
      500,
      status(
        500,
        undefined,
        'failed to create typed patch object: .spec.bogus: field not declared in schema',
      ),
      false,
    ],
    [500, status(500, 'InternalError', 'Internal error occurred: failed calling webhook'), true],
    [503, status(503, 'ServiceUnavailable'), true],
    [504, status(504, 'Timeout'), true],
    [429, status(429, 'TooManyRequests'), true],
    [502, '<html>Bad Gateway</html>', true],
    [503, '', true],
  ])('%i %s → %s', (code, body, transport) => {
    expect(isTransportAnswer(code, body)).toBe(transport);
  });
});
