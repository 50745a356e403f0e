// What a build will run, decided before anything runs: the cache plan, the files it reads and
// writes, and the ordered list of attempts (buildx; buildx again with inline cache when the
// builder cannot export cache; `docker build` when buildx is missing), each with the failure it
// answers. Pure: the runner (run.ts) diagnoses a failure and picks the next attempt here.
import * as path from 'path';
import type { BuildPlan } from './argv';
import { canAttest, canExportCache, type BuilderInfo } from './builder-info';
import { cacheBranches, cacheExportType, planCache } from './cache';
import { isRemoteContext } from './inputs';
import type { BuildInputs, CachePlan, SecretSource } from './model';
import type { ImageNaming } from './naming';
import { imageName } from './refs';

export type ExportSupport = { supported: true } | { supported: false; why: string };

/** Why the previous attempt failed, as far as the next attempt cares. */
export type Diagnosis =
  | { buildx: false; cliVersion: string }
  | {
      buildx: true;
      exportSupport: ExportSupport;
      /** Whether the builder takes attestations (the docker driver refuses them). */
      attestations: boolean;
    };

/** What the attempt that failed built with, as far as choosing the next one goes. */
export interface PreviousAttempt {
  cache: CachePlan;
  withDefaultAttestation: boolean;
}

export interface PlanFacts {
  workspace: string;
  ref: string;
  headRef: string;
  defaultBranch: string | undefined;
  /** The GitHub Actions cache service is reachable. */
  ghaAvailable: boolean;
  /** What `buildx inspect` said of the builder, asked beside the earlier stages (if it answered). */
  builder?: BuilderInfo;
}

export function cachePlanFor(
  inputs: BuildInputs,
  naming: ImageNaming,
  facts: PlanFacts,
  exportSupport: ExportSupport,
): CachePlan {
  return planCache({
    cache: inputs.cache,
    cacheFrom: inputs.cacheFrom,
    cacheTo: inputs.cacheTo,
    noCache: inputs.noCache,
    noCacheFilters: inputs.noCacheFilters,
    push: inputs.push,
    load: inputs.load,
    outputs: inputs.outputs,
    imageName: naming.tags[0] ? imageName(naming.tags[0]) : undefined,
    firstTag: naming.tags[0],
    target: inputs.target,
    ...cacheBranches(facts),
    cacheDir: path.resolve(facts.workspace, inputs.cacheDir),
    ghaAvailable: facts.ghaAvailable,
    exportSupport,
    builderKnown: facts.builder !== undefined,
    localContext: [inputs.context, ...inputs.buildContexts.map(namedContextSource)].every(
      (source) => !isRemoteContext(source) && !source.startsWith('docker-image://'),
    ),
  });
}

/** `name=source` of a `build-contexts` line: the source. */
function namedContextSource(line: string): string {
  return line.slice(line.indexOf('=') + 1);
}

/** Where each value secret's file goes in the work directory (the runner writes them). */
export function secretFilePaths(dir: string, secrets: SecretSource[]): Record<string, string> {
  const files: Record<string, string> = {};
  secrets.forEach((secret, index) => {
    if (secret.kind === 'value') files[secret.id] = path.join(dir, `secret-${index}`);
  });
  return files;
}

/** The secrets a buildx build gets: the inputs' and the Git context's token. */
export function buildxSecrets(inputs: BuildInputs): SecretSource[] {
  return inputs.gitAuth ? [...inputs.secrets, inputs.gitAuth] : inputs.secrets;
}

/** The fallback's `docker build` cannot read env secrets itself: give it their values. */
export function fallbackSecrets(secrets: SecretSource[], env: NodeJS.ProcessEnv): SecretSource[] {
  return secrets.map((secret) =>
    secret.kind === 'env'
      ? { id: secret.id, kind: 'value', value: env[secret.variable] ?? '' }
      : secret,
  );
}

export function buildPlan(
  inputs: BuildInputs,
  naming: ImageNaming,
  cache: CachePlan,
  secrets: SecretSource[],
  dir: string,
  withDefaultAttestation = true,
): BuildPlan {
  return {
    inputs: { ...inputs, secrets, gitAuth: undefined },
    ...naming,
    cache,
    withoutDefaultAttestation: !withDefaultAttestation,
    secretValueFiles: secretFilePaths(dir, secrets),
    metadataFile: path.join(dir, 'metadata.json'),
    iidFile: path.join(dir, 'iid'),
  };
}

export type AttemptKind = 'buildx' | 'docker-build';

export interface Attempt {
  kind: AttemptKind;
  /** For the log: what this attempt is. */
  title: string;
  /** Whether this attempt answers the diagnosis of the failure before it (none: first try). */
  answers(diagnosis: Diagnosis | undefined, previous: PreviousAttempt | undefined): boolean;
  /** The cache plan it builds with. */
  cache(diagnosis: Diagnosis | undefined): CachePlan;
  /** Whether it adds the default provenance attestation. */
  withDefaultAttestation(diagnosis: Diagnosis | undefined): boolean;
}

/**
 * buildx first. The builder is asked beside the earlier stages (off the critical path); when it
 * answered, the first attempt already fits it (a docker-driver builder gets inline cache and no
 * default provenance). Otherwise a failure asks why (the runner's diagnosis): no buildx at all,
 * or a docker-driver builder that cannot export the planned cache or take the default provenance
 * attestation (buildx refuses those before building anything): Gantry's defaults give way there,
 * what a user asked for not.
 */
export function buildAttempts(
  inputs: BuildInputs,
  naming: ImageNaming,
  facts: PlanFacts,
): Attempt[] {
  const cacheFor = (support: ExportSupport) => cachePlanFor(inputs, naming, facts, support);
  return [
    {
      kind: 'buildx',
      title: 'docker buildx build',
      answers: (diagnosis) => diagnosis === undefined,
      cache: () => cacheFor(facts.builder ? canExportCache(facts.builder) : { supported: true }),
      withDefaultAttestation: () => (facts.builder ? canAttest(facts.builder) : true),
    },
    {
      kind: 'buildx',
      title: 'docker buildx build with what the builder supports',
      answers: (diagnosis, previous) =>
        diagnosis?.buildx === true &&
        previous !== undefined &&
        ((!diagnosis.exportSupport.supported &&
          previous.cache.to.some((value) => cacheExportType(value) !== 'inline')) ||
          (!diagnosis.attestations &&
            previous.withDefaultAttestation &&
            inputs.defaultAttestation !== undefined)),
      // inline for `auto`; a clear InputError for an explicitly chosen kind
      cache: (diagnosis) =>
        cacheFor(diagnosis?.buildx === true ? diagnosis.exportSupport : { supported: true }),
      withDefaultAttestation: (diagnosis) => diagnosis?.buildx !== true || diagnosis.attestations,
    },
    {
      kind: 'docker-build',
      title: 'docker build (no buildx)',
      answers: (diagnosis) => diagnosis?.buildx === false,
      cache: () => cacheFor({ supported: false, why: 'buildx is not installed' }),
      withDefaultAttestation: () => false,
    },
  ];
}

/** The next attempt after `done` (index of the one that failed) for this diagnosis. */
export function nextAttempt(
  attempts: Attempt[],
  done: number,
  diagnosis: Diagnosis,
  previous: PreviousAttempt,
): number | undefined {
  for (let i = done + 1; i < attempts.length; i++) {
    if (attempts[i].answers(diagnosis, previous)) return i;
  }
  return undefined;
}
