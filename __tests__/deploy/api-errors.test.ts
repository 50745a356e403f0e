import {
  backoffMs,
  firstErrorLine,
  isTransportError,
  isWaitTimeout,
  lastProgress,
} from '../../src/stages/deploy/api-errors';

// kubectl's own wording, as printed on stderr.
describe('isTransportError / isWaitTimeout', () => {
  it.each([
    [
      'refused (kubectl short form)',
      'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?',
      true,
    ],
    [
      'refused',
      'Unable to connect to the server: dial tcp 127.0.0.1:40123: connect: connection refused',
      true,
    ],
    ['reset', 'error: read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer', true],
    [
      'TLS handshake timeout',
      'Unable to connect to the server: net/http: TLS handshake timeout',
      true,
    ],
    ['i/o timeout', 'Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout', true],
    ['EOF', 'Unable to connect to the server: EOF', true],
    ['unexpected EOF', 'error: unexpected EOF', true],
    ['http2 lost', 'error: http2: client connection lost', true],
    [
      '503',
      'Error from server (ServiceUnavailable): the server is currently unable to handle the request',
      true,
    ],
    [
      '500',
      'Error from server (InternalError): an error on the server ("") has prevented the request from succeeding',
      true,
    ],
    [
      '504',
      'Error from server (Timeout): the server was unable to return a response in the time allotted',
      true,
    ],
    ['429', 'Error from server (TooManyRequests): the server has received too many requests', true],
    ['wait ran out', 'error: timed out waiting for the condition', false],
    [
      'progress deadline (a verdict)',
      'error: deployment "web" exceeded its progress deadline',
      false,
    ],
    ['not found', 'Error from server (NotFound): deployments.apps "web" not found', false],
    ['forbidden', 'Error from server (Forbidden): deployments.apps "web" is forbidden', false],
  ])('%s', (_name, text, transport) => {
    expect(isTransportError(text)).toBe(transport);
  });

  it('tells a wait that ran out from one whose connection broke', () => {
    expect(isWaitTimeout('error: timed out waiting for the condition')).toBe(true);
    expect(isWaitTimeout('error: timed out waiting for the condition\nconnection refused')).toBe(
      false,
    );
    expect(isWaitTimeout('error: deployment "web" exceeded its progress deadline')).toBe(false);
  });
});

describe('lastProgress', () => {
  it('finds the last progress line of rollout status', () => {
    const stdout = [
      'Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...',
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
      '',
    ].join('\n');
    expect(lastProgress(stdout)).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    );
    expect(lastProgress('')).toBeUndefined();
  });
});

describe('firstErrorLine and backoff', () => {
  it("prefers kubectl's own line to client-go's log lines", () => {
    const stderr = [
      'E1201 21:01:33.337873    5329 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: connection refused"',
      'The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?',
    ].join('\n');
    expect(firstErrorLine(stderr)).toBe(
      'The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?',
    );
  });

  it('picks the line that says what failed', () => {
    expect(firstErrorLine('I1201 noise\nUnable to connect to the server: EOF\n')).toBe(
      'Unable to connect to the server: EOF',
    );
  });

  it('backs off from 0.5 s to at most 4 s', () => {
    expect([0, 1, 2, 3, 4, 8].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });
});
