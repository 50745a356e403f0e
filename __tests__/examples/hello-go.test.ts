// The example service's own Go tests: its broken modes (FAIL_PERCENT, never-ready, ...) and
// metrics are what the e2e suites and the demo judge rollouts by, so they are tested here too.
import { execFileSync } from 'child_process';
import * as path from 'path';

jest.setTimeout(120_000);

interface GoTestEvent {
  Action: string;
  Test?: string;
}

it('passes the example service Go tests (metrics, FAIL_PERCENT, readiness)', () => {
  const cwd = path.join(__dirname, '..', '..', 'examples', 'hello-go');
  // The module has no dependencies: nothing is downloaded.
  const out = execFileSync('go', ['test', '-count=1', '-json', './...'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off' },
  });
  const events = out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as GoTestEvent)
    .filter((e) => e.Test && (e.Action === 'pass' || e.Action === 'fail'));
  expect(events.filter((e) => e.Action === 'fail').map((e) => e.Test)).toEqual([]);
  expect(events.map((e) => e.Test)).toEqual(
    expect.arrayContaining(['TestErrorCounterExistsBeforeTheFirstError']),
  );
});
