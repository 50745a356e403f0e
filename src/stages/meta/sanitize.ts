// What an image name and tag may hold: registries reject anything else, so values taken from
// branch names, git tags or templates are made safe here rather than failing the push later.

/** A tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} in the distribution spec. */
export const MAX_TAG_LENGTH = 128;

/**
 * Runs of characters a tag cannot hold become one `-` (as docker/metadata-action does, so
 * `feature/login` gives `feature-login`); a leading `.` or `-` is dropped because a tag must
 * start with a letter, digit or `_`; the result is cut at 128 characters.
 */
export function sanitizeTag(value: string): string {
  return value
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, MAX_TAG_LENGTH);
}

/** Repository names are lower case in the distribution spec. */
export function sanitizeImageName(name: string): string {
  return name.toLowerCase();
}
