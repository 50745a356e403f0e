// Image references: which repository a reference names, so pinning can match `app:1.0`,
// `app@sha256:…` and `docker.io/library/app` as the same image.

const REFERENCE =
  /^(?<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}))?$/;

export interface ImageReference {
  /** The repository as written (`ghcr.io/acme/app`, `nginx`). */
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(ref: string): ImageReference | undefined {
  const match = REFERENCE.exec(ref.trim());
  if (!match?.groups) return undefined;
  const { name, tag, digest } = match.groups;
  return { name, tag, digest };
}

/**
 * The fully qualified repository: Docker Hub short names gain `docker.io/` (and `library/`
 * for official images), as the container runtime resolves them.
 */
export function imageRepository(ref: string): string {
  const name = parseImageReference(ref)?.name ?? ref.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const [first, ...rest] = name.split('/');
  const isRegistry =
    rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isRegistry) return name;
  return rest.length === 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
}
