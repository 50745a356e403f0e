// The `images` input: one image per line as a bare name or `name=...,enable=...`; a line of
// bare names separated by commas lists several images (the older metadata-action form).
import { InputError } from '../../lib/errors';
import { parseImageName, parseImageReference } from '../../lib/image-reference';
import { splitAttribute, splitFields } from './lines';
import type { ImageName } from './model';
import { sanitizeImageName } from './sanitize';

const INPUT = 'images';

export function parseImages(lines: string[]): ImageName[] {
  return lines.flatMap((line) => parseImageLine(line));
}

function parseImageLine(line: string): ImageName[] {
  const fields = splitFields(line, INPUT);
  const parts = fields.map(splitAttribute);
  if (parts.every((part) => part.key === undefined)) {
    return parts.map((part) => checked({ name: part.value, enable: true }, line));
  }
  const image: ImageName = { name: '', enable: true };
  for (const part of parts) {
    switch (part.key) {
      case undefined:
      case 'name':
        image.name = part.value;
        break;
      case 'enable':
        if (!['true', 'false'].includes(part.value)) {
          throw new InputError(INPUT, `enable must be true or false in "${line}"`);
        }
        image.enable = part.value === 'true';
        break;
      default:
        throw new InputError(
          INPUT,
          `unknown attribute "${part.key}" in "${line}"; use name= and enable=`,
        );
    }
  }
  return [checked(image, line)];
}

function checked(image: ImageName, line: string): ImageName {
  if (image.name === '') throw new InputError(INPUT, `no image name in "${line}"`);
  const name = sanitizeImageName(image.name);
  const pinned = parseImageReference(name);
  if (pinned && (pinned.tag !== undefined || pinned.digest !== undefined)) {
    // Azure/k8s-deploy's `images` lists references to pin; with the meta stage running,
    // `images` is docker/metadata-action's list of names to tag.
    throw new InputError(
      INPUT,
      `"${image.name}" carries a ${pinned.digest !== undefined ? 'digest' : 'tag'}; with the meta stage running, images lists image ` +
        'names to tag (e.g. ghcr.io/acme/app), as in docker/metadata-action. To pin images ' +
        "in the manifests (k8s-deploy's images), use deploy-images",
    );
  }
  if (!parseImageName(name)) {
    throw new InputError(
      INPUT,
      `"${image.name}" in "${line}" is not an image name; write it without tag or digest, ` +
        'e.g. ghcr.io/acme/app',
    );
  }
  return { name, enable: image.enable };
}
