// canary-steps, canary-step-duration and analysis-interval: the plan a progressive canary
// walks, and errors that name the input.
import { parseCanarySteps, parseStepPlan } from '../../../src/stages/deploy/progressive/steps';

describe('parseCanarySteps', () => {
  it.each([
    ['10,25,50', [10, 25, 50]],
    ['10, 25, 50', [10, 25, 50]],
    ['10% 50%', [10, 50]],
    ['1,99', [1, 99]],
    ['5', [5]],
    ['', []],
  ])('%j -> %j', (text, weights) => {
    expect(parseCanarySteps(text)).toEqual(weights);
  });

  it.each([
    ['0,10', '"0" is not a traffic percentage from 1 to 99'],
    ['10,100', '"100" is not a traffic percentage from 1 to 99'],
    ['10,abc', '"abc" is not a traffic percentage'],
    ['10,2.5', '"2.5" is not a traffic percentage'],
    ['-5', '"-5" is not a traffic percentage'],
    ['10,10', '10 after 10: each step must send the canary more traffic'],
    ['50,25', '25 after 50'],
  ])('%j fails', (text, message) => {
    expect(() => parseCanarySteps(text)).toThrow(
      expect.objectContaining({ input: 'canary-steps', message: expect.stringContaining(message) }),
    );
  });

  it('holds the steps to the split limit (a routed baseline takes as much as the canary)', () => {
    expect(() => parseCanarySteps('10,50', 49)).toThrow(
      '"50" is not a traffic percentage from 1 to 49',
    );
  });
});

describe('parseStepPlan', () => {
  it.each([
    [
      { steps: '10,50', stepDuration: '2m', interval: '30s' },
      { weights: [10, 50], stepSeconds: 120, intervalSeconds: 30, evaluationsPerStep: 4 },
    ],
    [
      { steps: '10', stepDuration: '', interval: '' },
      { weights: [10], stepSeconds: 120, intervalSeconds: 30, evaluationsPerStep: 4 },
    ],
    [
      { steps: '10', stepDuration: '100s', interval: '30s' },
      { weights: [10], stepSeconds: 100, intervalSeconds: 30, evaluationsPerStep: 3 },
    ],
    [
      { steps: '10', stepDuration: '1m', interval: '1m' },
      { weights: [10], stepSeconds: 60, intervalSeconds: 60, evaluationsPerStep: 1 },
    ],
    [
      { steps: '10', stepDuration: '0.3s', interval: '0.1s' },
      { weights: [10], stepSeconds: 0.3, intervalSeconds: 0.1, evaluationsPerStep: 3 },
    ],
  ])('%j', (text, plan) => {
    expect(parseStepPlan(text)).toEqual(plan);
  });

  it('no steps: no plan (the manual canary)', () => {
    expect(parseStepPlan({ steps: '', stepDuration: '5m', interval: '' })).toBeUndefined();
  });

  it.each([
    [
      { steps: '10', stepDuration: 'long', interval: '' },
      'canary-step-duration',
      '"long" is not a duration',
    ],
    [
      { steps: '10', stepDuration: '0s', interval: '' },
      'canary-step-duration',
      'is not a duration',
    ],
    [
      { steps: '10', stepDuration: '', interval: 'often' },
      'analysis-interval',
      '"often" is not a duration',
    ],
    [
      { steps: '10', stepDuration: '1m', interval: '2m' },
      'analysis-interval',
      '2m is longer than canary-step-duration (1m)',
    ],
  ])('%j fails naming %s', (text, input, message) => {
    expect(() => parseStepPlan(text)).toThrow(
      expect.objectContaining({ input, message: expect.stringContaining(message) }),
    );
  });
});
