// What a finished build produced, read from buildx's --metadata-file and --iidfile (or, for the
// fallback, from `docker push`), and the image reference pinned by digest.

export interface BuildIdentity {
  imageId: string;
  digest: string;
  metadata: Record<string, unknown>;
}

const DIGEST = /sha256:[a-f0-9]{64}/;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * buildx writes `containerimage.digest` (the manifest, or the index for multi-platform and
 * attested images) and `containerimage.config.digest`; the iidfile holds the image ID.
 */
export function readBuildxIdentity(metadataJson: string, iidFile: string): BuildIdentity {
  const metadata = metadataJson.trim() ? (JSON.parse(metadataJson) as Record<string, unknown>) : {};
  const digest = text(metadata['containerimage.digest']);
  const imageId = iidFile.trim() || text(metadata['containerimage.config.digest']);
  return { imageId, digest, metadata };
}

/** The digest `docker push` prints: `1.0: digest: sha256:... size: 1234`. */
export function pushedDigest(pushOutput: string): string {
  const line = pushOutput.split('\n').find((l) => /\bdigest: sha256:/.test(l));
  return line ? (DIGEST.exec(line)?.[0] ?? '') : '';
}

/** The fallback's stand-in for buildx metadata, with the same keys where they apply. */
export function fallbackMetadata(imageId: string, digest: string, tags: string[]) {
  const metadata: Record<string, unknown> = { 'containerimage.config.digest': imageId };
  if (digest) metadata['containerimage.digest'] = digest;
  if (tags.length > 0) metadata['image.name'] = tags.join(',');
  return metadata;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

interface ManifestOrIndex {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

/** For an index: the first platform image's digest (attestation manifests say unknown/unknown). */
export function firstPlatformManifest(raw: string): string | undefined {
  const doc = JSON.parse(raw) as ManifestOrIndex;
  if (!doc.manifests) return undefined;
  const image = doc.manifests.find((m) => m.platform?.os && m.platform.os !== 'unknown');
  return image?.digest;
}

/** Bytes a pull downloads for one image manifest: config plus compressed layers. */
export function manifestSize(raw: string): number | undefined {
  const doc = JSON.parse(raw) as ManifestOrIndex;
  if (!doc.layers) return undefined;
  return [doc.config, ...doc.layers].reduce((sum, d) => sum + (d?.size ?? 0), 0);
}
