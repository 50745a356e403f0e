// Pod sets as PromQL matchers, and placeholders. PromQL regexes match the whole label value,
// so the patterns are checked here anchored, against pod names the controllers really make.
import {
  fillQuery,
  placeholderValues,
  placeholdersIn,
  podNamePattern,
  podSelectors,
  promDuration,
} from '../../../src/stages/deploy/analysis/selectors';

const matches = (pattern: string, pod: string) => new RegExp(`^(?:${pattern})$`).test(pod);

describe('podNamePattern', () => {
  it.each([
    ['Deployment', 'hello-go', 'hello-go-7d4b9c8f6d-x2k9p', true],
    ['Deployment', 'hello-go', 'hello-go-canary-5f6c7d8b9-abcde', false],
    ['Deployment', 'hello-go', 'hello-go-baseline-5f6c7d8b9-abcde', false],
    ['Deployment', 'hello-go-canary', 'hello-go-canary-5f6c7d8b9-abcde', true],
    ['Deployment', 'hello-go-canary', 'hello-go-7d4b9c8f6d-x2k9p', false],
    ['Deployment', 'web.v2', 'web.v2-7d4b9c8f6d-x2k9p', true],
    ['Deployment', 'web.v2', 'webxv2-7d4b9c8f6d-x2k9p', false],
    ['StatefulSet', 'db', 'db-0', true],
    ['StatefulSet', 'db', 'db-canary-0', false],
    ['ReplicaSet', 'rs', 'rs-x2k9p', true],
  ])('%s %s: pod %s -> %s', (kind, name, pod, expected) => {
    expect(matches(podNamePattern(kind, name), pod)).toBe(expected);
  });
});

describe('podSelectors', () => {
  it('names the namespace and each workload of the rollout', () => {
    const selectors = podSelectors('shop', [
      { kind: 'Deployment', name: 'web' },
      { kind: 'StatefulSet', name: 'db' },
    ]);
    expect(selectors).toEqual({
      namespace: 'shop',
      canary: 'namespace="shop",pod=~"(web-canary-[a-z0-9]+-[a-z0-9]+|db-canary-[0-9]+)"',
      stable: 'namespace="shop",pod=~"(web-[a-z0-9]+-[a-z0-9]+|db-[0-9]+)"',
      baseline: 'namespace="shop",pod=~"(web-baseline-[a-z0-9]+-[a-z0-9]+|db-baseline-[0-9]+)"',
    });
  });

  it('leaves the namespace out when none is known', () => {
    expect(podSelectors('', [{ kind: 'Deployment', name: 'web' }]).canary).toBe(
      'pod=~"web-canary-[a-z0-9]+-[a-z0-9]+"',
    );
  });
});

describe('placeholders', () => {
  const values = placeholderValues(podSelectors('shop', [{ kind: 'Deployment', name: 'web' }]), 90);

  it.each([
    [
      'sum(rate(x{ {{canary}} }[{{window}}]))',
      'canary',
      'sum(rate(x{ namespace="shop",pod=~"web-canary-[a-z0-9]+-[a-z0-9]+" }[90s]))',
    ],
    ['x{{{canary}}}', 'canary', 'x{namespace="shop",pod=~"web-canary-[a-z0-9]+-[a-z0-9]+"}'],
    [
      'x{ {{ canary }},code="500" }',
      'baseline',
      'x{ namespace="shop",pod=~"web-baseline-[a-z0-9]+-[a-z0-9]+",code="500" }',
    ],
    [
      'x{ {{stable}} } - on() y{namespace="{{namespace}}"}',
      'canary',
      'x{ namespace="shop",pod=~"web-[a-z0-9]+-[a-z0-9]+" } - on() y{namespace="shop"}',
    ],
    ['{{unknown}}', 'canary', '{{unknown}}'],
  ] as const)('%s (canary as %s)', (query, canaryAs, filled) => {
    expect(fillQuery(query, values, canaryAs)).toBe(filled);
  });

  it('lists the placeholders a query uses, once each', () => {
    expect(placeholdersIn('a{ {{canary}} } / b{ {{canary}} } + {{ nope }}')).toEqual([
      'canary',
      'nope',
    ]);
  });

  it.each([
    [60, '1m'],
    [90, '90s'],
    [0.2, '1s'],
    [300, '5m'],
  ])('%s s as a PromQL range: %s', (seconds, range) => {
    expect(promDuration(seconds)).toBe(range);
  });
});
