// Image references (`registry:port/path/name:tag@sha256:...`): check, split, pin by digest.

export interface ImageRef {
  /** Registry and repository, e.g. `127.0.0.1:5000/acme/app`. */
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

// The grammar of github.com/distribution/reference, written out just far enough to reject
// the mistakes users make (metadata-action rules, spaces, upper case in the path).
const DOMAIN =
  /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9a-fA-F:]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*:[0-9]+)$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

export function parseImageRef(ref: string): ImageRef | undefined {
  let rest = ref.trim();
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
  const parts = rest.split('/');
  if (parts.length > 1 && DOMAIN.test(parts[0])) parts.shift();
  if (parts.length === 0 || !parts.every((part) => PATH_COMPONENT.test(part))) return undefined;
  return { name: rest, tag, digest };
}

/** The name part of a reference (no tag, no digest); the input itself if it does not parse. */
export function imageName(ref: string): string {
  return parseImageRef(ref)?.name ?? ref;
}

/** `name@digest`: the reference scan and deploy use, immune to tags moving. */
export function pinDigest(ref: string, digest: string): string {
  return `${imageName(ref)}@${digest}`;
}

/** The repository path without the registry host, e.g. `acme/app`. */
export function repositoryPath(name: string): string {
  const parts = name.split('/');
  if (parts.length > 1 && DOMAIN.test(parts[0])) parts.shift();
  return parts.join('/');
}
