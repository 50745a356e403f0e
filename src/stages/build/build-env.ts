// The environment variables docker/build-push-action reads (its README's "Environment
// variables", plus the buildx ones it consults), read once into typed settings. Variables that
// cannot apply to Gantry are named in `notes` for the log, never silently dropped. Pure.
import { InputError } from '../../lib/errors';

export interface BuildEnvSettings {
  /** DOCKER_BUILD_SUMMARY: write the build section of the job summary. */
  summary: boolean;
  /** DOCKER_BUILD_CHECKS_ANNOTATIONS: build check findings become GitHub annotations. */
  checksAnnotations: boolean;
  /** BUILDX_NO_DEFAULT_ATTESTATIONS: no default provenance attestation. */
  noDefaultAttestations: boolean;
  /** Lines for the log about variables that are set but cannot apply here. */
  notes: string[];
}

// Go's strconv.ParseBool, which buildx and build-push-action use for these variables.
const GO_TRUE = ['1', 't', 'T', 'true', 'TRUE', 'True'];
const GO_FALSE = ['0', 'f', 'F', 'false', 'FALSE', 'False'];

export function envBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (GO_TRUE.includes(value)) return true;
  if (GO_FALSE.includes(value)) return false;
  throw new InputError(
    name,
    `the environment variable "${value}" is not a boolean; use true or false`,
  );
}

export function readBuildEnv(env: NodeJS.ProcessEnv): BuildEnvSettings {
  const notes: string[] = [];
  // build-push-action exports a build record (`buildx history export`) in its post step and
  // uploads it as a workflow artifact; Gantry's summary is its own and no record is exported.
  if (env.DOCKER_BUILD_RECORD_UPLOAD !== undefined && env.DOCKER_BUILD_RECORD_UPLOAD !== '') {
    const upload = envBoolean(env, 'DOCKER_BUILD_RECORD_UPLOAD', true);
    notes.push(
      `DOCKER_BUILD_RECORD_UPLOAD=${env.DOCKER_BUILD_RECORD_UPLOAD}: ` +
        (upload
          ? 'Gantry does not upload build records as artifacts; the build section of the job summary holds what it reports (use `docker buildx history export` in a later step for a record)'
          : 'nothing to turn off, Gantry does not upload build records'),
    );
  }
  const retention = env.DOCKER_BUILD_RECORD_RETENTION_DAYS;
  if (retention !== undefined && retention !== '') {
    if (!/^\d+$/.test(retention.trim())) {
      throw new InputError(
        'DOCKER_BUILD_RECORD_RETENTION_DAYS',
        `the environment variable "${retention}" is not a number of days`,
      );
    }
    notes.push(
      `DOCKER_BUILD_RECORD_RETENTION_DAYS=${retention}: ignored, Gantry uploads no build record artifact`,
    );
  }
  return {
    summary: envBoolean(env, 'DOCKER_BUILD_SUMMARY', true),
    checksAnnotations: envBoolean(env, 'DOCKER_BUILD_CHECKS_ANNOTATIONS', true),
    noDefaultAttestations: envBoolean(env, 'BUILDX_NO_DEFAULT_ATTESTATIONS', false),
    notes,
  };
}
