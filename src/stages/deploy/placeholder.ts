// A stand-in for the build's digest, so that the deploy's client-side apply can be computed
// while the build still runs. kubectl's three-way merge (its server dry run) does not depend
// on what the image string says, only on where it is: the batch pinned to
// `repo@sha256:<stand-in>` merges exactly as the batch pinned to the real digest, and the
// result with the real digest written in is what the dry run of the real batch would answer.
// The server then checks exactly those objects (dryRun=All) before they count, so an admission
// policy that reads the image still has its say.
import { randomBytes } from 'crypto';
import type { KubeObject } from './model';

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** A digest no image has: 64 random hex digits (the chance of meeting one is nil). */
export function placeholderDigest(): string {
  return `sha256:${randomBytes(32).toString('hex')}`;
}

/** The hex part of a sha256 digest; undefined for anything else. */
function hexOf(digest: string): string | undefined {
  return DIGEST.exec(digest)?.[1];
}

/**
 * Whether the placeholder's batch (JSON), with `real` written in for `placeholder`, is exactly
 * `realBatch` (JSON): the digest was the only difference.
 */
export function matchesWithDigest(
  placeholderBatch: string,
  realBatch: string,
  placeholder: string,
  real: string,
): boolean {
  const from = hexOf(placeholder);
  const to = hexOf(real);
  if (!from || !to) return false;
  return placeholderBatch.replaceAll(from, to) === realBatch;
}

/**
 * Objects computed with `placeholder`, with `real` in its place everywhere: the images and
 * the last-applied configuration (JSON inside a string, where hex digits need no escaping).
 */
export function withDigest(objects: KubeObject[], placeholder: string, real: string): KubeObject[] {
  const from = hexOf(placeholder);
  const to = hexOf(real);
  if (!from || !to) throw new Error(`not sha256 digests: ${placeholder}, ${real}`);
  return JSON.parse(JSON.stringify(objects).replaceAll(from, to)) as KubeObject[];
}
