// What Gantry runs, minus Gantry: the bare tools' arguments the benchmarks time Gantry against.
// Each mirrors one stage's own plan, so a difference in the tables is Gantry's, not a flag's.
import { planCache } from '../../src/stages/build/cache';

/**
 * The cache flags Gantry plans for the registry cache on the default branch of a push, as buildx
 * args, with the image output it pins beside them (zstd cache blobs, gzip image layers). The
 * bare build exports its cache itself, as build-push-action does (Gantry moves the export after
 * the image when it knows the builder: see CachePlan.exportAfter).
 */
export function registryCacheFlags(repository: string): {
  from: string[];
  to: string[];
  outputs: string[];
} {
  const plan = planCache({
    cache: 'registry',
    cacheFrom: [],
    cacheTo: [],
    noCache: false,
    noCacheFilters: [],
    push: true,
    load: false,
    outputs: [],
    imageName: repository,
    firstTag: `${repository}:bench`,
    target: '',
    branch: 'main',
    defaultBranch: 'main',
    cacheDir: '',
    ghaAvailable: false,
    exportSupport: { supported: true },
    builderKnown: false,
    localContext: true,
  });
  return {
    from: plan.from.flatMap((value) => ['--cache-from', value]),
    to: plan.to.flatMap((value) => ['--cache-to', value]),
    outputs: plan.imageOutputs.flatMap((value) => ['--output', value]),
  };
}

/**
 * `trivy image` as Gantry's scan stage runs it: every severity into one JSON report (the gate,
 * SARIF and summary are made from it), secrets and vulnerabilities, DB already in place.
 */
export function bareTrivyArgs(options: {
  image: string;
  cacheDir: string;
  ignoreFile: string;
  output: string;
}): string[] {
  return [
    'image',
    '--format',
    'json',
    '--output',
    options.output,
    '--cache-dir',
    options.cacheDir,
    '--severity',
    'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
    '--ignorefile',
    options.ignoreFile,
    '--show-suppressed',
    '--scanners',
    'vuln,secret',
    '--ignore-unfixed=false',
    '--pkg-types',
    'os,library',
    '--skip-db-update',
    '--no-progress',
    '--skip-version-check',
    '--disable-telemetry',
    options.image,
  ];
}
