// Build inputs for tests: every field at its parsed default, overridden per case.
import type { BuildInputs } from '../../src/stages/build/model';

export function buildInputs(overrides: Partial<BuildInputs> = {}): BuildInputs {
  return {
    context: '.',
    file: '',
    target: '',
    platforms: [],
    buildArgs: [],
    buildContexts: [],
    secrets: [],
    ssh: [],
    push: false,
    load: false,
    outputs: [],
    cache: 'auto',
    cacheDir: '/tmp/cache',
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    noCacheFilters: [],
    pull: false,
    provenance: '',
    sbom: '',
    network: '',
    addHosts: [],
    shmSize: '',
    ulimit: [],
    allow: [],
    builder: '',
    tags: [],
    labels: [],
    annotations: [],
    metaImagesGiven: false,
    warnings: [],
    ...overrides,
  };
}
