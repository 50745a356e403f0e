// What the meta stage hands to build (tags, labels, annotations) and what it outputs.
export interface MetaResult {
  /** The version the ref resolves to, e.g. 1.2.3 for tag v1.2.3 ('' when none). */
  version: string;
  /** Enabled image names, e.g. ["127.0.0.1:5000/acme/app"]. */
  images: string[];
  /** Full image references (image:tag), in priority order, without duplicates. */
  tags: string[];
  /** `key=value` labels (generated OCI labels overridden by the user's). */
  labels: string[];
  /** `level:key=value` annotations (e.g. `manifest:org.opencontainers.image.version=1.2.3`). */
  annotations: string[];
}
