// All progressive inputs checked together: no steps means no progressive rollout, and an
// analysis input without steps is an error rather than silently ignored.
import {
  parseProgressiveSettings,
  type ProgressiveText,
} from '../../../src/stages/deploy/progressive/settings';

const none: ProgressiveText = {
  canarySteps: '',
  canaryStepDuration: '',
  analysisInterval: '',
  analysisQueries: '',
  analysisPrometheusUrl: '',
  analysisWebhook: '',
  analysisTimeout: '',
  baseline: false,
  maxWeight: 99,
};

it('no canary-steps: no progressive rollout (the manual canary)', () => {
  expect(parseProgressiveSettings(none)).toBeUndefined();
});

it('steps with analysis', () => {
  const settings = parseProgressiveSettings({
    ...none,
    canarySteps: '10,50',
    canaryStepDuration: '1m',
    analysisInterval: '20s',
    analysisQueries: '- name: success-rate\n  min: 99\n',
    analysisPrometheusUrl: 'http://127.0.0.1:19090',
  });
  expect(settings).toMatchObject({
    plan: { weights: [10, 50], evaluationsPerStep: 3 },
    analysis: { prometheusUrl: 'http://127.0.0.1:19090', checks: [{ name: 'success-rate' }] },
    timeoutSeconds: 10,
  });
});

it.each([
  ['30s', '', 10],
  ['5s', '', 5],
  ['30s', '3s', 3],
])('interval %s, analysis-timeout %j -> %i s per call', (interval, timeout, seconds) => {
  const settings = parseProgressiveSettings({
    ...none,
    canarySteps: '10',
    canaryStepDuration: '1m',
    analysisInterval: interval,
    analysisTimeout: timeout,
  });
  expect(settings?.timeoutSeconds).toBe(seconds);
});

it.each([
  [
    { analysisQueries: '- name: success-rate\n  min: 99', analysisPrometheusUrl: 'http://p:9090' },
    'analysis-queries',
    'set canary-steps',
  ],
  [{ analysisPrometheusUrl: 'http://p:9090' }, 'analysis-prometheus-url', 'set canary-steps'],
  [{ analysisWebhook: 'http://w' }, 'analysis-webhook', 'set canary-steps'],
  [{ canarySteps: '10', analysisTimeout: 'soon' }, 'analysis-timeout', '"soon" is not a duration'],
  [{ canarySteps: '10', analysisTimeout: '0s' }, 'analysis-timeout', '"0s" is not a duration'],
  [
    { canarySteps: '10', analysisTimeout: '1m' },
    'analysis-timeout',
    'longer than analysis-interval',
  ],
  [{ canarySteps: '10,50', maxWeight: 49 }, 'canary-steps', 'from 1 to 49'],
])('%j fails naming %s', (over, input, message) => {
  expect(() => parseProgressiveSettings({ ...none, ...over })).toThrow(
    expect.objectContaining({ input, message: expect.stringContaining(message) }),
  );
});
