// Image references (`host[:port]/path:tag@algo:hex`), the one grammar every stage checks and
// splits them with: distribution/reference's, as docker, containerd and the kubelet read it.

export interface ImageReference {
  /** The registry host (and port) as written, e.g. `127.0.0.1:5000`; undefined for Docker Hub short names. */
  domain?: string;
  /** The repository path as written, e.g. `acme/app` or `nginx`. */
  path: string;
  /** `domain/path` (or `path`) as written: the reference without tag and digest. */
  name: string;
  tag?: string;
  digest?: string;
}

// domain-component, with at least one more dot-separated component, or a port, or `localhost`;
// an IPv6 address in brackets. Upper case is allowed in the host (DNS ignores case).
const DOMAIN_COMPONENT = '(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?$`,
);
// Path components are lower case: alphanumerics joined by `.`, `_`, `__` or runs of `-`.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX_ID = /^[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

export const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';

/**
 * Whether the first of several `/`-separated components names a registry rather than a path
 * component: it has a dot or a port, is `localhost`, or has upper case (which a path cannot).
 */
function isDomainComponent(component: string): boolean {
  return (
    /[.:]/.test(component) || component === 'localhost' || component.toLowerCase() !== component
  );
}

/** Splits and checks a reference; undefined when it is not one (the caller names the input). */
export function parseImageReference(text: string): ImageReference | undefined {
  let rest = text.trim();
  if (rest === '' || HEX_ID.test(rest)) return undefined;

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (rest.length === 0 || rest.length > MAX_NAME_LENGTH) return undefined;

  const components = rest.split('/');
  let domain: string | undefined;
  if (components.length > 1 && isDomainComponent(components[0])) {
    domain = components.shift();
    if (!DOMAIN.test(domain!)) return undefined;
  }
  if (!components.every((component) => PATH_COMPONENT.test(component))) return undefined;
  return { domain, path: components.join('/'), name: rest, tag, digest };
}

/** A repository name alone (no tag, no digest), as metadata-action's `images` takes it. */
export function parseImageName(text: string): ImageReference | undefined {
  const ref = parseImageReference(text);
  return ref && ref.tag === undefined && ref.digest === undefined ? ref : undefined;
}

/** True when the text is a reference that names a version: a tag or a digest. */
export function isVersionedReference(text: string): boolean {
  const ref = parseImageReference(text);
  return ref !== undefined && (ref.tag !== undefined || ref.digest !== undefined);
}

/**
 * The repository a container runtime pulls from: Docker Hub short names gain `docker.io/`
 * (and `library/` for official images), `index.docker.io` becomes `docker.io`, the host is
 * lower-cased. Undefined when the text is not a reference.
 */
export function normalizedRepository(text: string): string | undefined {
  const ref = parseImageReference(text);
  if (!ref) return undefined;
  let domain = ref.domain?.toLowerCase() ?? DOCKER_HUB;
  if (domain === LEGACY_DOCKER_HUB) domain = DOCKER_HUB;
  const path = domain === DOCKER_HUB && !ref.path.includes('/') ? `library/${ref.path}` : ref.path;
  return `${domain}/${path}`;
}

/** `name@digest`: the reference scan and deploy use, immune to tags moving. */
export function pinnedReference(text: string, digest: string): string {
  return `${parseImageReference(text)?.name ?? text}@${digest}`;
}
