// The meta stage. (Placeholder until the tag DSL lands.)
import type { Stage } from '../types';
import type { MetaResult } from './model';

export const metaStage: Stage<Record<string, never>, MetaResult> = {
  name: 'meta',
  available: false,
  parseInputs: () => ({}),
  run: () => Promise.reject(new Error('the meta stage is not available yet')),
  report: () => ({ outputs: {}, summary: '' }),
};
