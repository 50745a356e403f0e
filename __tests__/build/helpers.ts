// Build inputs for tests: every field at its parsed default, overridden per case.
import type { BuildContextFacts } from '../../src/stages/build/inputs';
import type { BuildInputs } from '../../src/stages/build/model';

/** A push to main of acme/app, private repository, run 42 attempt 1. */
export function buildFacts(overrides: Partial<BuildContextFacts> = {}): BuildContextFacts {
  return {
    workspace: '/nonexistent',
    ref: 'refs/heads/main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    serverUrl: 'https://github.com',
    repository: { owner: 'acme', repo: 'app' },
    payload: { repository: { private: true } },
    runId: 42,
    runAttempt: 1,
    ...overrides,
  };
}

export function buildInputs(overrides: Partial<BuildInputs> = {}): BuildInputs {
  return {
    context: '.',
    contextOrigin: 'input',
    defaultContext: 'https://github.com/acme/app.git#0123456789abcdef0123456789abcdef01234567',
    gitAuth: undefined,
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
    attests: [],
    attestations: [],
    defaultAttestation: undefined,
    call: '',
    callMethod: 'build',
    cgroupParent: '',
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
    env: { summary: true, checksAnnotations: true, noDefaultAttestations: false, notes: [] },
    warnings: [],
    ...overrides,
  };
}
