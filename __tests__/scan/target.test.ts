import { InputError } from '../../src/lib/errors';
import type { BuildResult } from '../../src/stages/build/model';
import { scanTarget } from '../../src/stages/scan/target';

const DIGEST = 'sha256:' + 'a'.repeat(64);
const IMAGE_ID = 'sha256:' + 'b'.repeat(64);
type Built = Pick<BuildResult, 'image' | 'imageId' | 'pushed' | 'loaded' | 'tags'>;
const built = (fields: Partial<Built>): Built => ({
  image: `127.0.0.1:5000/acme/app@${DIGEST}`,
  imageId: IMAGE_ID,
  pushed: false,
  loaded: false,
  tags: ['127.0.0.1:5000/acme/app:pr-7'],
  ...fields,
});

describe('what the scan stage scans', () => {
  it.each([
    [
      'scan-ref wins over the build',
      'image',
      'alpine:3.20',
      built({ pushed: true }),
      { target: 'alpine:3.20', label: 'alpine:3.20' },
    ],
    [
      'a pushed build, by digest',
      'image',
      '',
      built({ pushed: true, loaded: true }),
      { target: `127.0.0.1:5000/acme/app@${DIGEST}`, label: `127.0.0.1:5000/acme/app@${DIGEST}` },
    ],
    [
      'a loaded build, by image ID from the engine',
      'image',
      '',
      built({ loaded: true }),
      {
        target: IMAGE_ID,
        label: `127.0.0.1:5000/acme/app:pr-7 (${IMAGE_ID})`,
        imageSource: 'docker',
      },
    ],
    [
      'a path, named relative to the workspace',
      'config',
      '/ws/k8s',
      undefined,
      { target: '/ws/k8s', label: 'k8s' },
    ],
    ['the workspace itself', 'fs', '/ws', undefined, { target: '/ws', label: '.' }],
  ] as const)('%s', (_name, scanType, scanRef, build, expected) => {
    expect(scanTarget(scanType, scanRef, build, '/ws')).toEqual(expected);
  });

  it.each([
    ['no build and no scan-ref', undefined, /nothing to scan/],
    ['a build that neither pushed nor loaded', built({}), /neither pushed nor loaded/],
  ])('names scan-ref for %s', (_name, build, message) => {
    const run = () => scanTarget('image', '', build, '/ws');
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});
