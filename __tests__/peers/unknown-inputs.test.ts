// Nothing in `with:` is silently dropped: an input action.yml does not declare fails, naming it
// and what to use instead, before any stage parses or runs.
import * as core from '@actions/core';
import { loadContext } from '../../src/context';
import { actionInputs, mapInputs } from '../../src/inputs';
import { nearestInput } from '../../src/peers/advice';
import {
  assertKnownInputs,
  inputNamesInEnv,
  inputVariable,
  unknownInputNames,
} from '../../src/peers/unknown-inputs';
import { runPipeline } from '../../src/pipeline';
import type { StageEntry } from '../../src/stages/types';

describe('inputVariable (the runner and @actions/core naming)', () => {
  it.each([
    ['build-args', 'INPUT_BUILD-ARGS'],
    ['exit-code', 'INPUT_EXIT-CODE'],
    ['My Input', 'INPUT_MY_INPUT'],
    ['image_ref', 'INPUT_IMAGE_REF'],
  ])('%s -> %s, where core.getInput reads it', (name, variable) => {
    expect(inputVariable(name)).toBe(variable);
    process.env[variable] = 'seen';
    try {
      expect(core.getInput(name)).toBe('seen');
    } finally {
      delete process.env[variable];
    }
  });

  it('lists the input names of an environment, declared or not', () => {
    expect(
      inputNamesInEnv({ 'INPUT_EXIT-CODE': '0', INPUT_TAGS: 'x', INPUT_: '', PATH: '/bin' }),
    ).toEqual(['exit-code', 'tags']);
  });
});

describe('assertKnownInputs', () => {
  it('accepts every declared input, whatever the case the runner used', async () => {
    await expect(assertKnownInputs(['images', 'TAGS', 'build-args', 'sep-tags'])).resolves.toBe(
      undefined,
    );
    expect(unknownInputNames(['images', 'deploy-images', 'exit_code'])).toEqual(['exit_code']);
  });

  it.each([
    // near misses
    ['taggs', /^Input "taggs": not an input of Gantry .*did you mean "tags"\?/],
    ['build_args', /^Input "build_args": .*did you mean "build-args"\?/],
    ['rollout_timeout', /did you mean "rollout-timeout"\?/],
    // nothing close
    ['colour-scheme', /^Input "colour-scheme": not an input of Gantry .*Reference/],
  ])('refuses %s', async (name, message) => {
    await expect(assertKnownInputs(['images', name])).rejects.toThrow(message);
    await expect(assertKnownInputs([name])).rejects.toMatchObject({
      name: 'InputError',
      input: name,
    });
  });

  it('names every unknown input in one error', async () => {
    const error = assertKnownInputs(['taggs', 'build_args', 'images']);
    await expect(error).rejects.toThrow(/^Input "taggs": .*\nInput "build_args": /s);
  });

  it.each([
    ['tag', 'tags'],
    ['imagess', 'images'],
    ['Build-Args', 'build-args'],
    ['x', undefined],
    ['trivy-versoin', 'trivy-version'],
  ])('nearestInput(%s) is %s', (name, expected) => {
    expect(nearestInput(name)).toBe(expected);
  });
});

describe('the pipeline', () => {
  const ran: string[] = [];
  const stage: StageEntry = {
    name: 'meta',
    available: true,
    load: async () => {
      ran.push('loaded');
      return {
        name: 'meta',
        parseInputs: () => ran.push('parsed'),
        run: async () => ran.push('ran'),
        report: () => ({ outputs: {}, summary: '' }),
      };
    },
  };
  const sink = {
    stageDone: async () => undefined,
    group: <T>(_t: string, fn: () => Promise<T>) => fn(),
    backgroundDone: () => undefined,
  };

  beforeEach(() => (ran.length = 0));

  it('fails on an unknown input before any stage is loaded, parsed or run', async () => {
    await expect(
      runPipeline(mapInputs({ stages: 'meta', exit_code: '0' }), loadContext({}), sink, [stage]),
    ).rejects.toThrow(/^Input "exit_code": .*did you mean "exit-code"/);
    expect(ran).toEqual([]);
  });

  it('checks the INPUT_* variables of the action environment', async () => {
    process.env['INPUT_STAGES'] = 'meta';
    process.env['INPUT_CANARY_PERCENTAGE'] = '20';
    try {
      await expect(runPipeline(actionInputs(), loadContext({}), sink, [stage])).rejects.toThrow(
        /^Input "canary_percentage": .*"canary-percentage"/,
      );
      expect(ran).toEqual([]);
    } finally {
      delete process.env['INPUT_STAGES'];
      delete process.env['INPUT_CANARY_PERCENTAGE'];
    }
  });

  it('runs when every input is declared', async () => {
    await runPipeline(mapInputs({ stages: 'meta', images: 'app' }), loadContext({}), sink, [stage]);
    expect(ran).toEqual(['loaded', 'parsed', 'ran']);
  });
});
