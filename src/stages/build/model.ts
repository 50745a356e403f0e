// What the build stage hands to scan and deploy.
export interface BuildResult {
  imageId: string;
  /** Manifest (or index) digest, sha256:... */
  digest: string;
  /** The first image name pinned by digest (repo@sha256:...), used by scan and deploy. */
  image: string;
  /** buildx metadata JSON. */
  metadata: Record<string, unknown>;
}
