// docker/metadata-action's Bake definition files: the tags, labels and annotations as one
// Bake target each (and one with tags and labels), for `docker buildx bake -f cwd://<file>`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { labelObject } from './labels';
import type { BakeFiles, MetaResult } from './model';

type TargetFields = Record<string, unknown>;
export type BakeDefinition = { target: Record<string, TargetFields> };

/** The `args` docker/metadata-action gives every target that carries tags. */
function bakeArgs(result: MetaResult): Record<string, string | undefined> {
  // No version: the key is left out, as JSON.stringify leaves out the peer's undefined.
  return {
    DOCKER_META_IMAGES: result.images.join(','),
    DOCKER_META_VERSION: result.version || undefined,
  };
}

/** The four definitions, by the output that names their file. */
export function bakeDefinitions(
  result: MetaResult,
  target: string,
): Record<keyof BakeFiles, BakeDefinition> {
  const define = (fields: TargetFields): BakeDefinition => ({ target: { [target]: fields } });
  const labels = labelObject(result.labels);
  return {
    tags: define({ tags: result.tags, args: bakeArgs(result) }),
    labels: define({ labels }),
    annotations: define({ annotations: result.annotations }),
    all: define({ tags: result.tags, labels, args: bakeArgs(result) }),
  };
}

const FILE_NAMES: Record<keyof BakeFiles, string> = {
  tags: 'docker-metadata-action-bake-tags.json',
  labels: 'docker-metadata-action-bake-labels.json',
  annotations: 'docker-metadata-action-bake-annotations.json',
  all: 'docker-metadata-action-bake.json',
};

/** Writes the definitions into a new directory under RUNNER_TEMP; returns their paths. */
export function writeBakeFiles(result: MetaResult, target: string, env = process.env): BakeFiles {
  const base = env.RUNNER_TEMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, 'gantry-meta-'));
  const definitions = bakeDefinitions(result, target);
  const files = {} as BakeFiles;
  for (const kind of Object.keys(FILE_NAMES) as (keyof BakeFiles)[]) {
    files[kind] = path.join(dir, FILE_NAMES[kind]);
    fs.writeFileSync(files[kind], JSON.stringify(definitions[kind], null, 2));
  }
  return files;
}
