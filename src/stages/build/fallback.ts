// What building without buildx can and cannot do: which inputs make it impossible (a clear
// error instead of a quietly different build) and the warning that says what is lost.
import { InputError } from '../../lib/errors';
import { cacheExportType } from './cache';
import type { BuildInputs } from './model';

export type FallbackMode = 'buildkit' | 'legacy';

/**
 * Docker CLI 23 and later run BuildKit builds only through the buildx plugin; without it they
 * refuse DOCKER_BUILDKIT=1 and can only use the legacy builder. Older CLIs embed BuildKit.
 */
export function fallbackMode(cliVersion: string): FallbackMode {
  // Docker's versions are not semver (`19.03.15`, `20.10.24+dfsg1`): the major is enough.
  const major = Number(/^(\d+)\./.exec(cliVersion)?.[1]);
  return major < 23 ? 'buildkit' : 'legacy';
}

function isOn(value: string): boolean {
  return value !== '' && value.toLowerCase() !== 'false' && value !== '0';
}

/** The first input the fallback cannot honour, as an InputError (undefined when all fit). */
export function fallbackBlocker(
  inputs: BuildInputs,
  mode: FallbackMode,
  explicitAnnotations: boolean,
): InputError | undefined {
  const need = (input: string, what: string) =>
    new InputError(
      input,
      `${what} needs buildx, which is not installed here (\`docker buildx version\` failed); ` +
        'install it (docker/setup-buildx-action) or drop this input',
    );
  if (inputs.platforms.length > 1) return need('platforms', 'a multi-platform build');
  if (isOn(inputs.provenance)) return need('provenance', 'a provenance attestation');
  if (isOn(inputs.sbom)) return need('sbom', 'an SBOM attestation');
  if (inputs.attests.length > 0) return need('attests', 'attestations');
  if (inputs.callMethod !== 'build') return need('call', `call: ${inputs.callMethod}`);
  const exported = inputs.cacheTo.filter((value) => cacheExportType(value) !== 'inline');
  if (exported.length > 0) return need('cache-to', `cache export (${exported.join(', ')})`);
  if (['gha', 'registry', 'local'].includes(inputs.cache)) {
    return need('cache', `cache: ${inputs.cache}`);
  }
  if (inputs.cacheFrom.some((value) => /(?:^|,)type=(?!registry\b)/.test(value))) {
    return need('cache-from', 'reading cache other than from an image');
  }
  if (inputs.outputs.length > 0) return need('outputs', 'an exporter (outputs)');
  if (inputs.buildContexts.length > 0) return need('build-contexts', 'named build contexts');
  if (inputs.allow.length > 0) return need('allow', 'entitlements (allow)');
  if (inputs.noCacheFilters.length > 0) return need('no-cache-filters', 'no-cache-filters');
  if (explicitAnnotations) return need('annotations', 'image annotations');
  if (mode === 'legacy') {
    const legacy = (input: string, what: string) =>
      new InputError(
        input,
        `${what} needs BuildKit, but without the buildx plugin this Docker CLI (23 or later) ` +
          'can only use the legacy builder; install buildx (docker/setup-buildx-action)',
      );
    if (inputs.secrets.length > 0) return legacy('secrets', 'passing build secrets');
    if (inputs.ssh.length > 0) return legacy('ssh', 'SSH forwarding');
  }
  return undefined;
}

export function fallbackWarning(mode: FallbackMode, cliVersion: string): string {
  const lost =
    'cache export other than inline (only the final stage is cached, mode=max is impossible), ' +
    'multi-platform builds, provenance and SBOM attestations, annotations and named build contexts';
  if (mode === 'buildkit') {
    return (
      'buildx is not installed (`docker buildx version` failed), so Gantry builds with ' +
      `\`DOCKER_BUILDKIT=1 docker build\` (Docker CLI ${cliVersion}) and inline cache. Lost until ` +
      `buildx is installed: ${lost}. Install it with docker/setup-buildx-action.`
    );
  }
  return (
    'buildx is not installed (`docker buildx version` failed), and this Docker CLI ' +
    `(${cliVersion}) runs BuildKit only through buildx, so Gantry builds with the legacy ` +
    `builder (\`DOCKER_BUILDKIT=0 docker build\`). Lost until buildx is installed: ${lost}, ` +
    'and everything BuildKit adds (parallel stages, RUN --mount, secrets, SSH, writing any ' +
    'cache). Install it with docker/setup-buildx-action.'
  );
}
