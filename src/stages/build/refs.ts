// Image references for the build stage (`registry:port/path/name:tag@sha256:...`): checked and
// split by the action's one reference parser, then pinned by digest.
import { parseImageReference, pinnedReference } from '../../lib/image-reference';

export interface ImageRef {
  /** Registry and repository, e.g. `127.0.0.1:5000/acme/app`. */
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImageRef(ref: string): ImageRef | undefined {
  const parsed = parseImageReference(ref);
  return parsed && { name: parsed.name, tag: parsed.tag, digest: parsed.digest };
}

/** The name part of a reference (no tag, no digest); the input itself if it does not parse. */
export function imageName(ref: string): string {
  return parseImageReference(ref)?.name ?? ref;
}

/** `name@digest`: the reference scan and deploy use, immune to tags moving. */
export const pinDigest = pinnedReference;

/** The repository path without the registry host, e.g. `acme/app`. */
export function repositoryPath(name: string): string {
  return parseImageReference(name)?.path ?? name;
}
