// The build stage. Not built yet: `stages: auto` skips it and naming it is an error.
import type { Stage } from '../types';
import type { BuildResult } from './model';

export const buildStage: Stage<Record<string, never>, BuildResult> = {
  name: 'build',
  available: false,
  parseInputs: () => ({}),
  run: () => Promise.reject(new Error('the build stage is not available yet')),
  report: () => ({ outputs: {}, summary: '' }),
};
