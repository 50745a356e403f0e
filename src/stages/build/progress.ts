// Reads a build log for the summary: which Dockerfile steps ran and which came from the cache.
// BuildKit's plain progress (`#8 [builder 3/6] RUN ...` then `#8 CACHED`) and the legacy
// builder's (`Step 3/9 : RUN ...` then ` ---> Using cache`).
import { normalizedRepository } from '../../lib/image-reference';
import type { StepCounts } from './model';

export interface BuildStep {
  /** As BuildKit names it, e.g. `[builder 3/6] RUN go mod download`. */
  name: string;
  cached: boolean;
}

// `[stage n/m]` (or `[platform stage n/m]`, `[n/m]`) marks a Dockerfile step; `[internal]`,
// `[auth]` and the like are BuildKit's own bookkeeping.
const BUILDKIT_STEP = /^#(\d+) (\[[^\]]*\b\d+\/\d+\] .*)$/;
const BUILDKIT_CACHED = /^#(\d+) CACHED\s*$/;
const LEGACY_STEP = /^Step \d+\/\d+ : (.*)$/;
const LEGACY_CACHED = /^ ---> Using cache\s*$/;

export function parseBuildSteps(log: string): BuildStep[] {
  const steps = new Map<string, BuildStep>();
  const cachedIds = new Set<string>();
  const legacy: BuildStep[] = [];
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.trimEnd();
    let match = BUILDKIT_STEP.exec(line);
    if (match) {
      if (!steps.has(match[1])) steps.set(match[1], { name: match[2], cached: false });
      continue;
    }
    match = BUILDKIT_CACHED.exec(line);
    if (match) {
      cachedIds.add(match[1]);
      continue;
    }
    match = LEGACY_STEP.exec(line);
    if (match) {
      legacy.push({ name: match[1], cached: false });
      continue;
    }
    if (LEGACY_CACHED.test(line) && legacy.length > 0) legacy[legacy.length - 1].cached = true;
  }
  const buildkit = [...steps.entries()].map(([id, step]) => ({
    ...step,
    cached: cachedIds.has(id),
  }));
  return buildkit.length > 0 ? buildkit : legacy;
}

export function countSteps(steps: BuildStep[]): StepCounts {
  return { total: steps.length, cached: steps.filter((step) => step.cached).length };
}

/** The first image manifest BuildKit exported (`#15 exporting manifest sha256:...`). */
export function exportedManifest(log: string): string | undefined {
  return /^#\d+ exporting manifest (sha256:[a-f0-9]{64})/m.exec(log)?.[1];
}

// `#13 pushing manifest for registry/app:1.2.3@sha256:… 0.1s done`: that tag's push is complete.
const PUSHED_MANIFEST =
  /^#\d+ pushing manifest for (\S+)@(sha256:[a-f0-9]{64})(?: [\d.]+s)? done\s*$/;

/**
 * The digest a progress line says was pushed for a tag of `repository` (normalized), once
 * that push is done: the image can be pulled by digest from then on, before buildx has
 * written its metadata file and exited.
 */
export function pushedManifest(line: string, repository: string): string | undefined {
  const match = PUSHED_MANIFEST.exec(line);
  if (!match || normalizedRepository(match[1]) !== repository) return undefined;
  return match[2];
}
