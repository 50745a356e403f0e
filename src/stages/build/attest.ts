// The `--attest` values, with docker/build-push-action's rules: `provenance` and `sbom` win over
// the same type in `attests`, provenance carries the run's `builder-id`, and without any
// provenance asked for, a default one is added (min and inline-only for a private repository,
// max for a public one) unless the image goes to the Docker engine or
// BUILDX_NO_DEFAULT_ATTESTATIONS is set. Pure.
import { parse as parseCsv } from 'csv-parse/sync';

export interface AttestRequest {
  /** The `provenance` input as given ('' = not given). */
  provenance: string;
  /** The `sbom` input as given. */
  sbom: string;
  /** The `attests` input, one attestation per item. */
  attests: string[];
  /** The run's URL with its attempt: `<server>/<owner>/<repo>/actions/runs/<id>/attempts/<n>`. */
  builderId: string;
  privateRepository: boolean;
  noDefaultAttestations: boolean;
  /** The image goes to the Docker engine (`load`, or an `outputs` of type docker). */
  toDockerEngine: boolean;
}

// Go's strconv.ParseBool, as buildx reads a bare `true`/`false` attribute.
const GO_BOOL: Record<string, boolean> = {
  '1': true,
  t: true,
  T: true,
  true: true,
  TRUE: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  false: false,
  FALSE: false,
  False: false,
};
// The YAML 1.2 core booleans the runner's getBooleanInput accepts.
const YAML_BOOL: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

function fields(value: string): string[] {
  const records = parseCsv(value, {
    delimiter: ',',
    trim: true,
    relaxColumnCount: true,
    skipEmptyLines: true,
  }) as string[][];
  return records.flat();
}

function fieldKey(field: string): string {
  const at = field.indexOf('=');
  return (at < 0 ? field : field.slice(0, at)).trim();
}

/** `type=<name>` among the attestation's fields. */
export function hasAttestationType(name: string, attest: string): boolean {
  return fields(attest).some((field) => {
    const [key, value] = field.split('=').map((part) => part.trim());
    return key === 'type' && value === name;
  });
}

/** A bare boolean field becomes `disabled=<not it>`, as buildx means it. */
function resolveAttrs(attest: string): string {
  return fields(attest)
    .map((field) => (field in GO_BOOL ? `disabled=${!GO_BOOL[field]}` : field))
    .join(',');
}

function withBuilderId(attrs: string, builderId: string): string {
  if (!attrs) return `builder-id=${builderId}`;
  if (fields(attrs).some((field) => fieldKey(field) === 'builder-id')) return attrs;
  return `${attrs},builder-id=${builderId}`;
}

/** The `provenance` input as build-push-action reads it: a boolean, or attributes. */
function provenanceAttrs(provenance: string, builderId: string): string {
  if (provenance === '') return '';
  if (provenance in YAML_BOOL) {
    return YAML_BOOL[provenance] ? `builder-id=${builderId}` : 'false';
  }
  return withBuilderId(provenance, builderId);
}

/** The provenance build-push-action adds when none is asked for (undefined when none is). */
export function defaultProvenance(request: AttestRequest): string | undefined {
  const asked =
    request.provenance !== '' ||
    request.attests.some((attest) => hasAttestationType('provenance', attest));
  if (asked || request.noDefaultAttestations || request.toDockerEngine) return undefined;
  const attrs = request.privateRepository ? 'mode=min,inline-only=true' : 'mode=max';
  return `type=provenance,${withBuilderId(attrs, request.builderId)}`;
}

export function attestArgs(request: AttestRequest): string[] {
  const { builderId } = request;
  const out: string[] = [];
  const provenance = provenanceAttrs(request.provenance, builderId);
  const fallback = defaultProvenance(request);
  if (provenance) out.push(resolveAttrs(`type=provenance,${provenance}`));
  else if (fallback) out.push(fallback);
  if (request.sbom) out.push(resolveAttrs(`type=sbom,${request.sbom}`));
  for (const attest of request.attests) {
    const isProvenance = hasAttestationType('provenance', attest);
    const isSbom = hasAttestationType('sbom', attest);
    if (!isProvenance && !isSbom) out.push(resolveAttrs(attest));
    else if (isProvenance && !provenance) out.push(withBuilderId(attest, builderId));
    else if (isSbom && !request.sbom) out.push(attest);
  }
  return out;
}

/** Whether the outputs send the image to the Docker engine (as `load` does). */
export function toDockerEngine(outputs: string[], load: boolean): boolean {
  return (
    load ||
    outputs.some((output) => fields(output).some((f) => f.replace(/\s/g, '') === 'type=docker'))
  );
}
