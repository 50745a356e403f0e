// The deploy stage. Not built yet: `stages: auto` skips it and naming it is an error.
import type { Stage } from '../types';
import type { DeployResult } from './model';

export const deployStage: Stage<Record<string, never>, DeployResult> = {
  name: 'deploy',
  available: false,
  parseInputs: () => ({}),
  run: () => Promise.reject(new Error('the deploy stage is not available yet')),
  report: () => ({ outputs: {}, summary: '' }),
};
