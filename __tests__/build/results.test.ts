import { canExportCache, parseBuildxInspect } from '../../src/stages/build/builder-info';
import {
  fallbackMetadata,
  firstPlatformManifest,
  manifestSize,
  pushedDigest,
  readBuildxIdentity,
} from '../../src/stages/build/metadata';
import { imageName, parseImageRef, pinDigest, repositoryPath } from '../../src/stages/build/refs';
import { buildReport, formatBytes, formatSeconds } from '../../src/stages/build/report';
import type { BuildResult } from '../../src/stages/build/model';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const CONFIG = `sha256:${'c'.repeat(64)}`;

describe('image references', () => {
  it.each([
    ['127.0.0.1:5000/acme/app:1.2.3', '127.0.0.1:5000/acme/app', '1.2.3'],
    ['ghcr.io/acme/app', 'ghcr.io/acme/app', undefined],
    ['localhost:5000/app:latest', 'localhost:5000/app', 'latest'],
    ['nginx:1.27', 'nginx', '1.27'],
    [`r.io/a/b:1@${DIGEST}`, 'r.io/a/b', '1'],
    ['Registry.Example.com/acme/app:1', 'Registry.Example.com/acme/app', '1'],
  ])('%s -> name %s, tag %s', (ref, name, tag) => {
    expect(parseImageRef(ref)).toMatchObject({ name, tag });
  });

  it.each(['type=ref,event=branch', 'Acme/App:1', 'app:has space', 'app:', ''])(
    'rejects %j',
    (ref) => expect(parseImageRef(ref)).toBeUndefined(),
  );

  it('pins the first name by digest', () => {
    expect(pinDigest('127.0.0.1:5000/acme/app:1.2.3', DIGEST)).toBe(
      `127.0.0.1:5000/acme/app@${DIGEST}`,
    );
    expect(imageName('ghcr.io/acme/app:edge')).toBe('ghcr.io/acme/app');
    expect(repositoryPath('127.0.0.1:5000/acme/app')).toBe('acme/app');
    expect(repositoryPath('acme/app')).toBe('acme/app');
  });
});

describe('build identity', () => {
  it('reads the digest from buildx metadata and the image ID from the iidfile', () => {
    const metadata = JSON.stringify({
      'containerimage.digest': DIGEST,
      'containerimage.config.digest': CONFIG,
      'image.name': 'r/app:1',
    });
    expect(readBuildxIdentity(metadata, `${CONFIG}\n`)).toEqual({
      imageId: CONFIG,
      digest: DIGEST,
      metadata: JSON.parse(metadata),
    });
  });

  it('falls back to the config digest when there is no iidfile', () => {
    const metadata = JSON.stringify({ 'containerimage.config.digest': CONFIG });
    expect(readBuildxIdentity(metadata, '')).toMatchObject({ imageId: CONFIG, digest: '' });
  });

  it('reads the digest docker push prints', () => {
    const out = `The push refers to repository [127.0.0.1:5000/acme/app]\n5f70bf18a086: Pushed\n1.0: digest: ${DIGEST} size: 739\n`;
    expect(pushedDigest(out)).toBe(DIGEST);
    expect(pushedDigest('nothing')).toBe('');
  });

  it('writes fallback metadata with buildx key names', () => {
    expect(fallbackMetadata(CONFIG, DIGEST, ['r/a:1', 'r/a:2'])).toEqual({
      'containerimage.config.digest': CONFIG,
      'containerimage.digest': DIGEST,
      'image.name': 'r/a:1,r/a:2',
    });
  });

  it('sizes an image from its manifest and finds the platform image in an index', () => {
    const index = JSON.stringify({
      manifests: [
        { digest: 'sha256:att', platform: { os: 'unknown', architecture: 'unknown' } },
        { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    expect(firstPlatformManifest(index)).toBe('sha256:amd');
    const manifest = JSON.stringify({
      config: { size: 100 },
      layers: [{ size: 1000 }, { size: 24 }],
    });
    expect(firstPlatformManifest(manifest)).toBeUndefined();
    expect(manifestSize(manifest)).toBe(1124);
    expect(manifestSize(index)).toBeUndefined();
  });
});

describe('builder info', () => {
  const inspect = (driver: string) =>
    `Name:          testbed\nDriver:        ${driver}\nLast Activity: 2026-01-01\n\nNodes:\nName:      testbed0\n`;
  it('reads name and driver', () => {
    expect(parseBuildxInspect(inspect('remote'))).toEqual({ name: 'testbed', driver: 'remote' });
  });
  it.each([
    ['remote', true],
    ['docker-container', true],
    ['kubernetes', true],
    ['docker', false],
  ])('%s driver exports cache: %s', (driver, supported) => {
    expect(canExportCache(parseBuildxInspect(inspect(driver))).supported).toBe(supported);
  });
});

describe('report', () => {
  const result: BuildResult = {
    imageId: CONFIG,
    digest: DIGEST,
    image: `127.0.0.1:5000/acme/app@${DIGEST}`,
    metadata: { 'containerimage.digest': DIGEST },
    tags: ['127.0.0.1:5000/acme/app:1.2.3'],
    builder: 'buildx',
    pushed: true,
    loaded: false,
    sizeBytes: 1_234_567,
    durationMs: 12_345,
    steps: { total: 8, cached: 5 },
    cache: {
      kind: 'registry',
      from: [],
      to: [],
      imageOutputs: [],
      exportAfter: false,
      reasons: ['cache: auto → registry'],
    },
    call: undefined,
    warnings: [],
    summary: true,
  };

  it('sets the four outputs', () => {
    expect(buildReport(result).outputs).toEqual({
      imageid: CONFIG,
      digest: DIGEST,
      metadata: JSON.stringify({ 'containerimage.digest': DIGEST }),
      image: `127.0.0.1:5000/acme/app@${DIGEST}`,
    });
  });

  it('summarises image, digest, size, build time and cached steps', () => {
    const { summary } = buildReport(result);
    expect(summary).toContain('| Image | Digest | Size | Build time | Cached steps |');
    expect(summary).toContain(
      `| \`127.0.0.1:5000/acme/app\` | \`${DIGEST}\` | 1.2 MB | 12.3 s | 5 of 8 |`,
    );
    expect(summary).toContain('Built with docker buildx build; pushed.');
    expect(summary).toContain('- `127.0.0.1:5000/acme/app:1.2.3`');
  });

  it.each([
    [undefined, '–'],
    [512, '512 B'],
    [2_500_000_000, '2.5 GB'],
  ])('formatBytes(%s) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [900, '0.9 s'],
    [125_000, '2 min 5 s'],
  ])('formatSeconds(%s) = %s', (ms, text) => expect(formatSeconds(ms)).toBe(text));

  it('leaves the summary out with DOCKER_BUILD_SUMMARY=false, outputs still set', () => {
    const report = buildReport({ ...result, summary: false });
    expect(report.summary).toBe('');
    expect(report.outputs.digest).toBe(DIGEST);
  });

  it('lists the build check warnings the build recorded', () => {
    const report = buildReport({
      ...result,
      warnings: [
        {
          rule: 'FromAsCasing',
          message: "'as' and 'FROM' keywords' casing do not match",
          description: '',
          url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
          sourceFile: 'Dockerfile',
          line: 1,
          level: 'warning',
        },
      ],
    });
    expect(report.summary).toContain('Build checks: Check complete, 1 warning found');
    expect(report.summary).toContain(
      "| warning | [FromAsCasing](https://docs.docker.com/go/dockerfile/rule/from-as-casing/) | `Dockerfile:1` | `'as' and 'FROM' keywords' casing do not match` |",
    );
  });

  it('call: check with findings fails the stage after writing its summary', () => {
    const report = buildReport({
      ...result,
      digest: '',
      image: '',
      call: {
        method: 'check',
        output: '{}',
        failed: true,
        findings: [
          {
            rule: 'JSONArgsRecommended',
            message: 'JSON arguments recommended for CMD <b>',
            description: '',
            url: '',
            sourceFile: 'Dockerfile',
            line: 2,
            level: 'warning',
          },
        ],
      },
    });
    expect(report.failure).toBe('call: check: Check complete, 1 warning found');
    expect(report.summary).toContain('### Build: call check');
    // Dockerfile text stays text: a code span, not HTML.
    expect(report.summary).toContain('`JSON arguments recommended for CMD <b>`');
    expect(report.outputs).toMatchObject({ digest: '', image: '' });
  });

  it('call: outline shows what buildx printed and passes', () => {
    const report = buildReport({
      ...result,
      call: { method: 'outline', output: 'TARGET: runtime\n', failed: false, findings: [] },
    });
    expect(report.failure).toBeUndefined();
    expect(report.summary).toContain('```\nTARGET: runtime\n```');
  });
});
