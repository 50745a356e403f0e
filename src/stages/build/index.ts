// The build stage: docker buildx (or a BuildKit/legacy `docker build` fallback) with a cache
// plan that hits, push, and the digest scan and deploy pin to.
import type { Stage } from '../types';
import { parseBuildInputs } from './inputs';
import type { BuildInputs, BuildResult } from './model';
import { buildReport } from './report';
import { runBuildStage } from './run';

export const buildStage: Stage<BuildInputs, BuildResult> = {
  name: 'build',
  parseInputs: (source, ctx) => parseBuildInputs(source, ctx),
  run: (inputs, ctx, previous) => runBuildStage(inputs, ctx, previous),
  report: (result) => buildReport(result),
};
