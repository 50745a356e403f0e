// The progressive inputs as the deploy stage reads them: canary steps need a canary that a
// router weighs, replace canary-percentage, and nothing of theirs is accepted and then ignored.
import { mapInputs } from '../../../src/inputs';
import { InputError } from '../../../src/lib/errors';
import { parseDeployInputs } from '../../../src/stages/deploy/inputs';

const routed = {
  manifests: 'k8s/',
  strategy: 'canary',
  'traffic-split': 'gateway-api',
  'canary-steps': '10,50',
};
const parse = (values: Record<string, string>) => parseDeployInputs(mapInputs(values));

function expectRefused(values: Record<string, string>, input: string, message: RegExp): void {
  let error: unknown;
  try {
    parse(values);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).input).toBe(input);
  expect((error as Error).message).toMatch(message);
}

it('reads the steps, durations and analysis into the deploy inputs', () => {
  const inputs = parse({
    ...routed,
    'canary-step-duration': '1m',
    'analysis-interval': '20s',
    'analysis-prometheus-url': 'http://127.0.0.1:9090',
    'analysis-queries': '- name: success-rate\n  min: 99\n',
  });
  expect(inputs.progressive?.plan).toMatchObject({
    weights: [10, 50],
    stepSeconds: 60,
    intervalSeconds: 20,
    evaluationsPerStep: 3,
  });
  expect(inputs.progressive?.analysis.checks.map((c) => c.name)).toEqual(['success-rate']);
});

it('leaves the manual canary alone without canary-steps', () => {
  expect(parse({ manifests: 'k8s/', strategy: 'canary' }).progressive).toBeUndefined();
});

it.each<[string, Record<string, string>, string, RegExp]>([
  ['steps with rolling', { ...routed, strategy: 'rolling' }, 'canary-steps', /strategy: canary/],
  ['steps with the pod split', { ...routed, 'traffic-split': 'pod' }, 'canary-steps', /router/],
  [
    'steps with promote',
    { ...routed, 'deploy-action': 'promote' },
    'canary-steps',
    /promotes or rejects by itself/,
  ],
  [
    'steps beside canary-percentage',
    { ...routed, 'canary-percentage': '20' },
    'canary-percentage',
    /sets the canary's weight at each step/,
  ],
  [
    "steps beside k8s-deploy's percentage",
    { ...routed, percentage: '20' },
    'percentage',
    /remove percentage/,
  ],
  [
    'a step duration without steps',
    { manifests: 'k8s/', 'canary-step-duration': '1m' },
    'canary-step-duration',
    /set canary-steps/,
  ],
  [
    'an interval without steps',
    { manifests: 'k8s/', 'analysis-interval': '10s' },
    'analysis-interval',
    /set canary-steps/,
  ],
  [
    'a Prometheus URL no check asks',
    { ...routed, 'analysis-prometheus-url': 'http://127.0.0.1:9090' },
    'analysis-prometheus-url',
    /no check asks it/,
  ],
  [
    'a step above 49 with a routed baseline',
    { ...routed, 'canary-baseline': 'true', 'canary-steps': '10,60' },
    'canary-steps',
    /1 to 49/,
  ],
])('refuses %s, naming the input', (_name, values, input, message) => {
  expectRefused(values, input, message);
});

describe('blue-green with analysis', () => {
  const blueGreen = { manifests: 'k8s/', strategy: 'blue-green' };
  const webhook = { 'analysis-webhook': 'http://judge.example/green' };

  it.each<[string, Record<string, string>, object]>([
    [
      'judges green for one 2m step at 0 %, then one at 100 %, by default',
      webhook,
      { weights: [0, 100], stepSeconds: 120, intervalSeconds: 30, evaluationsPerStep: 4 },
    ],
    [
      'each window lasts canary-step-duration, looked at every analysis-interval',
      { ...webhook, 'canary-step-duration': '1m', 'analysis-interval': '20s' },
      { weights: [0, 100], stepSeconds: 60, intervalSeconds: 20, evaluationsPerStep: 3 },
    ],
  ])('%s', (_name, values, plan) => {
    const inputs = parse({ ...blueGreen, ...values });
    expect(inputs.progressive?.plan).toEqual(plan);
    expect(inputs.progressive?.analysis.checks.map((c) => c.name)).toEqual(['webhook']);
  });

  it('reads Prometheus checks as the canary does', () => {
    const inputs = parse({
      ...blueGreen,
      'route-method': 'gateway-api',
      'analysis-prometheus-url': 'http://127.0.0.1:9090',
      'analysis-queries': '- name: success-rate\n  min: 99\n',
    });
    expect(inputs.progressive?.analysis.checks).toMatchObject([{ name: 'success-rate', min: 99 }]);
  });

  it('switches unjudged without analysis inputs', () => {
    expect(parse(blueGreen).progressive).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      'canary-steps',
      { ...webhook, 'canary-steps': '10,50' },
      'canary-steps',
      /needs strategy: canary \(strategy is blue-green.*remove canary-steps/,
    ],
    [
      'a step duration and no analysis',
      { 'canary-step-duration': '1m' },
      'canary-step-duration',
      /times the analysis, and none is set; add analysis-queries .* or analysis-webhook/,
    ],
    [
      'an analysis timeout and no analysis',
      { 'analysis-timeout': '5s' },
      'analysis-timeout',
      /none is set/,
    ],
    [
      'analysis with reject',
      { ...webhook, 'deploy-action': 'reject' },
      'analysis-webhook',
      /judges green while deploy-action: deploy switches to it; remove analysis-webhook to reject/,
    ],
    [
      'an interval longer than the window',
      { ...webhook, 'canary-step-duration': '30s', 'analysis-interval': '1m' },
      'analysis-interval',
      /longer than canary-step-duration/,
    ],
    [
      'queries without Prometheus',
      { 'analysis-queries': '- name: success-rate\n  min: 99' },
      'analysis-prometheus-url',
      /needs the Prometheus to ask/,
    ],
    [
      'a comparison with a baseline that blue-green does not run',
      {
        'analysis-prometheus-url': 'http://p:9090',
        'analysis-queries': '- name: success-rate\n  tolerance: 1',
      },
      'analysis-queries',
      /tolerance: compares with the baseline/,
    ],
  ])('refuses %s, naming the input', (_name, values, input, message) => {
    expectRefused({ ...blueGreen, ...values }, input, message);
  });

  it('points rolling users with analysis at canary-steps or blue-green', () => {
    expect(() => parse({ manifests: 'k8s/', ...webhook })).toThrow(
      /set canary-steps \(e\.g\. 10,25,50\), or strategy: blue-green/,
    );
  });
});
