// The build stage: docker buildx (or a BuildKit/legacy `docker build` fallback) with a cache
// plan that hits, push, and the digest scan and deploy pin to.
import type { Stage } from '../types';
import { parseBuildInputs } from './inputs';
import type { BuildInputs, BuildResult } from './model';
import { probeBuilder } from './buildx';
import { buildReport } from './report';
import { runBuildStage } from './run';

export const buildStage: Stage<BuildInputs, BuildResult> = {
  name: 'build',
  parseInputs: (source, ctx) => parseBuildInputs(source, ctx),
  // Asks the builder what it can do while the other stages check their inputs; run awaits it.
  prepare: (inputs, ctx) => {
    void probeBuilder(inputs.builder, ctx.workspace);
    return Promise.resolve(inputs);
  },
  run: (inputs, ctx, previous, early) => runBuildStage(inputs, ctx, previous, process.env, early),
  report: (result) => buildReport(result),
  background: (result) => result.cacheExport,
};
