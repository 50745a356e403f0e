// The rollout state annotation (versioned JSON) and what a re-run does with it: start, resume
// at the step, or finish a promote / reject that was cut off.
import {
  decideResume,
  decodeState,
  encodeState,
  STATE_ANNOTATION,
  type RolloutState,
} from '../../../src/stages/deploy/progressive/state';

const state: RolloutState = {
  version: 1,
  digest: 'sha256:aaa',
  phase: 'progressing',
  weights: [10, 25, 50],
  stepIndex: 1,
  evaluations: 2,
  failures: { 'success-rate': 1 },
  startedAt: '2026-12-01T20:00:00.000Z',
  stepStartedAt: '2026-12-01T20:02:00.000Z',
  updatedAt: '2026-12-01T20:03:00.000Z',
};
const encoded = encodeState(state);
const now = new Date('2026-12-01T20:10:00Z');

describe('state annotation', () => {
  it('is named gantry.dev/progressive-state', () => {
    expect(STATE_ANNOTATION).toBe('gantry.dev/progressive-state');
  });

  it('round-trips', () => {
    expect(decodeState(encoded)).toEqual(state);
    expect(JSON.parse(encoded).version).toBe(1);
  });

  it('keeps only its own fields', () => {
    const extra = { ...state, secret: 'x' } as RolloutState;
    expect(JSON.parse(encodeState(extra))).not.toHaveProperty('secret');
  });

  it.each([
    [undefined, 'no state'],
    ['', 'no state'],
    ['{not json', 'the state annotation is not JSON'],
    ['null', 'the state annotation is not an object'],
    [JSON.stringify({ ...state, version: 2 }), 'state version 2 is not 1'],
    [JSON.stringify({ ...state, version: undefined }), 'state version undefined is not 1'],
    [
      JSON.stringify({ ...state, phase: 'paused' }),
      'the state annotation is missing fields or has wrong ones',
    ],
    [
      JSON.stringify({ ...state, stepIndex: -1 }),
      'the state annotation is missing fields or has wrong ones',
    ],
    [
      JSON.stringify({ ...state, stepIndex: 4 }),
      'the state annotation is missing fields or has wrong ones',
    ],
    [
      JSON.stringify({ ...state, failures: { a: 'x' } }),
      'the state annotation is missing fields or has wrong ones',
    ],
    [
      JSON.stringify({ ...state, startedAt: 'yesterday' }),
      'the state annotation is missing fields or has wrong ones',
    ],
  ])('%j is unreadable: %s', (text, why) => {
    expect(decodeState(text)).toEqual({ unreadable: why });
  });
});

describe('decideResume', () => {
  const input = { digest: 'sha256:aaa', weights: [10, 25, 50], now };
  const withState = (over: Partial<RolloutState>) => encodeState({ ...state, ...over });

  it.each([
    ['no state', undefined, input, 'start', 'new rollout'],
    ['an unreadable state', '{', input, 'start', 'the state annotation is not JSON: starting over'],
    [
      'the same digest, mid-step',
      encoded,
      input,
      'resume',
      'resuming at step 2 of 3 (25 %), 2 analysis(es) in',
    ],
    [
      'another digest',
      encoded,
      { ...input, digest: 'sha256:bbb' },
      'start',
      'the canary ran sha256:aaa; sha256:bbb starts over at the first step',
    ],
    [
      'other steps',
      encoded,
      { ...input, weights: [10, 50] },
      'start',
      'canary-steps changed from 10,25,50 to 10,50: starting over',
    ],
    [
      'a state older than a day',
      encoded,
      { ...input, now: new Date('2026-12-03T20:03:00Z') },
      'start',
      'the state is 48 h old (at most 24 h): starting over',
    ],
    [
      'a state within its max age',
      encoded,
      { ...input, now: new Date('2026-12-01T20:30:00Z'), maxAgeSeconds: 3600 },
      'resume',
      'resuming at step 2',
    ],
    [
      'cut off while promoting',
      withState({ phase: 'promoting' }),
      input,
      'finish',
      'the previous run stopped while promoting; finishing it',
    ],
    [
      'cut off while rejecting',
      withState({ phase: 'rejecting' }),
      input,
      'finish',
      'the previous run stopped while rejecting; finishing it',
    ],
    [
      'rejecting, though a new digest came',
      withState({ phase: 'rejecting' }),
      { ...input, digest: 'sha256:bbb' },
      'start',
      'starts over at the first step',
    ],
    [
      'every step passed, promote not begun',
      withState({ stepIndex: 3, evaluations: 0 }),
      input,
      'finish',
      'every step had passed; promoting',
    ],
  ])('%s -> %s', (_, annotation, resumeInput, action, reason) => {
    const decision = decideResume(annotation, resumeInput);
    expect(decision.action).toBe(action);
    expect(decision.reason).toContain(reason);
  });

  it('resuming keeps the step, its analyses and the failures', () => {
    const decision = decideResume(encoded, input);
    expect(decision).toMatchObject({
      action: 'resume',
      state: { stepIndex: 1, evaluations: 2, failures: { 'success-rate': 1 } },
    });
  });

  it('finishing a cut-off promote says which', () => {
    expect(decideResume(withState({ stepIndex: 3 }), input)).toMatchObject({
      action: 'finish',
      phase: 'promoting',
    });
  });
});
