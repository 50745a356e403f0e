// A named builder's driver, read from buildx's own store (the instance file `docker buildx
// create` writes under ~/.docker/buildx/instances) instead of running `docker buildx inspect`:
// a file read instead of two processes and a dial to the builder, on every build's path. Only
// for a builder named by the `builder` input or BUILDX_BUILDER; anything else (the current or
// default builder, a docker context's, a file that does not parse) is left to `buildx inspect`.
import * as fs from 'fs';
import * as path from 'path';
import { dockerConfigDir } from '../../lib/docker-config';
import type { BuilderInfo } from './builder-info';

/** Where buildx keeps its state: BUILDX_CONFIG, else $DOCKER_CONFIG/buildx, else ~/.docker/buildx. */
export function buildxStoreDir(env: NodeJS.ProcessEnv): string {
  if (env.BUILDX_CONFIG) return env.BUILDX_CONFIG;
  return path.join(dockerConfigDir(env), 'buildx');
}

/** The builder named by the input or BUILDX_BUILDER, as its instance file describes it. */
export function storedBuilder(builder: string, env: NodeJS.ProcessEnv): BuilderInfo | undefined {
  const name = builder || env.BUILDX_BUILDER || '';
  // A name with a path separator is no instance file's name.
  if (name === '' || name !== path.basename(name)) return undefined;
  try {
    const text = fs.readFileSync(path.join(buildxStoreDir(env), 'instances', name), 'utf8');
    const stored = JSON.parse(text) as { Name?: unknown; Driver?: unknown };
    if (typeof stored.Driver !== 'string' || stored.Driver === '') return undefined;
    return { name: typeof stored.Name === 'string' ? stored.Name : name, driver: stored.Driver };
  } catch {
    return undefined;
  }
}
