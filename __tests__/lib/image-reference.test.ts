import {
  isVersionedReference,
  normalizedRepository,
  parseImageName,
  parseImageReference,
  pinnedReference,
} from '../../src/lib/image-reference';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('parseImageReference', () => {
  // [reference, domain, path, tag, digest]
  it.each([
    ['nginx', undefined, 'nginx', undefined, undefined],
    ['nginx:1.27', undefined, 'nginx', '1.27', undefined],
    ['acme/app', undefined, 'acme/app', undefined, undefined],
    ['ghcr.io/acme/app', 'ghcr.io', 'acme/app', undefined, undefined],
    ['127.0.0.1:5000/acme/app:1.2.3', '127.0.0.1:5000', 'acme/app', '1.2.3', undefined],
    ['localhost/app:dev', 'localhost', 'app', 'dev', undefined],
    ['localhost:5000/app', 'localhost:5000', 'app', undefined, undefined],
    ['[::1]:5000/app:v1', '[::1]:5000', 'app', 'v1', undefined],
    ['registry:5000/app', 'registry:5000', 'app', undefined, undefined],
    ['Registry.Example.COM/acme/app:1', 'Registry.Example.COM', 'acme/app', '1', undefined],
    ['Acme/app', 'Acme', 'app', undefined, undefined],
    ['r.io/a/b/c/d', 'r.io', 'a/b/c/d', undefined, undefined],
    ['r.io/a.b_c__d--e', 'r.io', 'a.b_c__d--e', undefined, undefined],
    [`r.io/a/b:1@${DIGEST}`, 'r.io', 'a/b', '1', DIGEST],
    [`app@${DIGEST}`, undefined, 'app', undefined, DIGEST],
    [`app@sha512:${'b'.repeat(128)}`, undefined, 'app', undefined, `sha512:${'b'.repeat(128)}`],
    [
      `app@multihash+base58:${'c'.repeat(32)}`,
      undefined,
      'app',
      undefined,
      `multihash+base58:${'c'.repeat(32)}`,
    ],
    ['app:_tag', undefined, 'app', '_tag', undefined],
    [`app:${'t'.repeat(128)}`, undefined, 'app', 't'.repeat(128), undefined],
    ['  ghcr.io/acme/app:1  ', 'ghcr.io', 'acme/app', '1', undefined],
  ])('%s', (ref, domain, path, tag, digest) => {
    expect(parseImageReference(ref)).toEqual({
      domain,
      path,
      name: ref
        .trim()
        .replace(/@.*$/, '')
        .replace(/:[^:/]*$/, ''),
      tag,
      digest,
    });
  });

  it.each([
    ['', 'empty'],
    ['ghcr.io/Acme/app', 'upper case in the path'],
    ['Acme/App:1', 'upper case in the path after an upper-case host'],
    ['App', 'upper case in a one-component name'],
    ['app:has space', 'a space'],
    ['app:', 'an empty tag'],
    ['app:-tag', 'a tag starting with -'],
    [`app:${'t'.repeat(129)}`, 'a tag over 128 characters'],
    ['app@sha256:abc', 'a digest too short'],
    [`app@${HEX}`, 'a digest without algorithm'],
    [`app@sha256:${'g'.repeat(64)}`, 'a digest not hex'],
    ['type=ref,event=branch', 'a metadata-action tag rule'],
    ['name=ghcr.io/acme/app', 'a metadata-action image attribute'],
    ['r.io//app', 'an empty path component'],
    ['r.io/app/', 'a trailing slash'],
    ['/app', 'a leading slash'],
    ['r.io/-app', 'a path component starting with -'],
    ['r.io/app_', 'a path component ending with a separator'],
    ['r.io/a___b', 'three underscores'],
    ['-r.io/app', 'a host starting with -'],
    ['r.io:port/app', 'a port that is not a number'],
    [HEX, 'a bare 64-hex image ID'],
    [`r.io/${'a'.repeat(256)}`, 'a name over 255 characters'],
  ])('rejects %j (%s)', (ref) => {
    expect(parseImageReference(ref)).toBeUndefined();
  });
});

describe('parseImageName', () => {
  it.each([
    ['ghcr.io/acme/app', true],
    ['127.0.0.1:5000/acme/app', true],
    ['ghcr.io/acme/app:1', false],
    [`ghcr.io/acme/app@${DIGEST}`, false],
    ['ghcr.io/Acme/app', false],
  ])('%s is a bare name: %s', (name, ok) => {
    expect(parseImageName(name) !== undefined).toBe(ok);
  });
});

describe('isVersionedReference', () => {
  it.each([
    ['contoso.azurecr.io/myapp:123', true],
    [`127.0.0.1:5000/acme/app@${DIGEST}`, true],
    ['127.0.0.1:5000/acme/app', false],
    ['ghcr.io/acme/app', false],
    ['name=ghcr.io/acme/app,enable=true', false],
  ])('%s: %s', (text, versioned) => {
    expect(isVersionedReference(text)).toBe(versioned);
  });
});

describe('normalizedRepository', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.27', 'docker.io/library/nginx'],
    [`docker.io/library/nginx@${DIGEST}`, 'docker.io/library/nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx'],
    ['acme/app:1', 'docker.io/acme/app'],
    ['127.0.0.1:5000/acme/app:latest', '127.0.0.1:5000/acme/app'],
    ['localhost/app:dev', 'localhost/app'],
    ['Registry.Example.com/acme/app', 'registry.example.com/acme/app'],
    [`ghcr.io/acme/app:1.0@${DIGEST}`, 'ghcr.io/acme/app'],
    ['ghcr.io/Acme/app', undefined],
  ])('%s -> %s', (ref, repository) => {
    expect(normalizedRepository(ref)).toBe(repository);
  });
});

describe('pinnedReference', () => {
  it.each([
    ['127.0.0.1:5000/acme/app:1.2.3', `127.0.0.1:5000/acme/app@${DIGEST}`],
    ['ghcr.io/acme/app', `ghcr.io/acme/app@${DIGEST}`],
    [`ghcr.io/acme/app:1@sha256:${'b'.repeat(64)}`, `ghcr.io/acme/app@${DIGEST}`],
  ])('%s -> %s', (ref, pinned) => {
    expect(pinnedReference(ref, DIGEST)).toBe(pinned);
  });
});
