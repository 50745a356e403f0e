// The scan stage. Not built yet: `stages: auto` skips it and naming it is an error.
import type { Stage } from '../types';
import type { ScanResult } from './model';

export const scanStage: Stage<Record<string, never>, ScanResult> = {
  name: 'scan',
  available: false,
  parseInputs: () => ({}),
  run: () => Promise.reject(new Error('the scan stage is not available yet')),
  report: () => ({ outputs: {}, summary: '' }),
};
