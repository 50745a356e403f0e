// OCI labels and annotations, the outputs (separators, json) and the job summary.
import { mergeAnnotations, splitAnnotation } from '../../src/stages/meta/labels';
import { metaReport } from '../../src/stages/meta/report';
import { metaFor, parseFor } from './fixtures';

const CREATED = '2025-11-20T09:20:00.000Z';

describe('OCI labels', () => {
  it('come from the repository, version, commit and SOURCE_DATE_EPOCH, sorted by key', () => {
    const { result } = metaFor('push-tag', { inputs: { tags: 'type=semver,pattern={{version}}' } });
    expect(result.labels).toEqual([
      `org.opencontainers.image.created=${CREATED}`,
      'org.opencontainers.image.description=The acme app',
      'org.opencontainers.image.licenses=Apache-2.0',
      'org.opencontainers.image.revision=860c1904a1ce19322e91ac35af1ab07466440c37',
      'org.opencontainers.image.source=https://github.com/acme/app',
      'org.opencontainers.image.title=app',
      'org.opencontainers.image.url=https://github.com/acme/app',
      'org.opencontainers.image.version=1.2.3',
    ]);
  });

  it('sort as docker/metadata-action sorts (the locale collation) when keys are not plain', () => {
    const { result } = metaFor('push-tag', {
      inputs: { labels: 'vendor=Acme\nMaintainer=ops\ncom.acme.team=web\ncom_acme.team=web2' },
    });
    const keys = result.labels.map((label) => label.slice(0, label.indexOf('=')));
    // Code point order would put Maintainer first and com_acme after com.acme.
    expect(keys.slice(0, 4)).toEqual([
      'com_acme.team',
      'com.acme.team',
      'Maintainer',
      'org.opencontainers.image.created',
    ]);
    expect(keys[keys.length - 1]).toBe('vendor');
  });

  it('use what the GitHub API says about the repository', () => {
    const { result } = metaFor('push-branch-main', {
      repository: { description: 'From the API', license: 'MIT', name: 'app' },
    });
    expect(result.labels).toContain('org.opencontainers.image.description=From the API');
    expect(result.labels).toContain('org.opencontainers.image.licenses=MIT');
  });

  it('revision is the PR head with pr-head-sha', () => {
    const head = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    for (const c of [
      { inputs: { 'pr-head-sha': 'true' } },
      { env: { DOCKER_METADATA_PR_HEAD_SHA: 'true' } },
    ]) {
      const { result } = metaFor('pull_request', {
        ...c,
        inputs: { ...c.inputs, tags: 'type=sha' },
      });
      expect(result.labels).toContain(`org.opencontainers.image.revision=${head}`);
      expect(result.tags).toEqual(['ghcr.io/acme/app:sha-a1b2c3d']);
    }
  });

  it('user labels override generated ones and may hold = in values', () => {
    const { result } = metaFor('push-branch-main', {
      inputs: {
        labels: [
          'org.opencontainers.image.title=Acme App',
          'org.opencontainers.image.vendor=Acme',
          'com.acme.query=a=b',
          '# a comment',
        ].join('\n'),
      },
    });
    expect(result.labels).toContain('org.opencontainers.image.title=Acme App');
    expect(result.labels).toContain('org.opencontainers.image.vendor=Acme');
    expect(result.labels).toContain('com.acme.query=a=b');
    expect(result.labels.filter((l) => l.includes('.title='))).toHaveLength(1);
  });

  it('version label is empty when the ref gives no version', () => {
    const { result } = metaFor('push-branch-main', {
      inputs: { tags: 'type=semver,pattern={{version}}' },
    });
    expect(result.labels).toContain('org.opencontainers.image.version=');
  });
});

describe('annotations', () => {
  it('are the OCI labels on the manifest level by default', () => {
    const { result } = metaFor('push-tag');
    expect(result.annotations).toEqual(result.labels.map((label) => `manifest:${label}`));
  });

  it('follow DOCKER_METADATA_ANNOTATIONS_LEVELS', () => {
    const { result } = metaFor('push-tag', {
      env: { DOCKER_METADATA_ANNOTATIONS_LEVELS: 'manifest,index' },
    });
    expect(result.annotations).toEqual([
      ...result.labels.map((label) => `manifest:${label}`),
      ...result.labels.map((label) => `index:${label}`),
    ]);
  });

  it('user annotations override, and may name their own levels', () => {
    const { result } = metaFor('push-tag', {
      inputs: {
        annotations: [
          'org.opencontainers.image.description=Custom',
          'index:org.opencontainers.image.vendor=Acme',
          'manifest,index-descriptor:com.acme.tier=gold',
        ].join('\n'),
      },
    });
    expect(result.annotations).toContain('manifest:org.opencontainers.image.description=Custom');
    expect(result.annotations).toContain('index:org.opencontainers.image.vendor=Acme');
    expect(result.annotations).toContain('manifest:com.acme.tier=gold');
    expect(result.annotations).toContain('index-descriptor:com.acme.tier=gold');
    expect(result.annotations.filter((a) => a.startsWith('index:'))).toEqual([
      'index:org.opencontainers.image.vendor=Acme',
    ]);
  });

  it('splitAnnotation only treats known levels as a prefix', () => {
    expect(splitAnnotation('manifest[linux/amd64]:a=b')).toEqual({
      key: 'a',
      value: 'b',
      levels: ['manifest[linux/amd64]'],
    });
    expect(splitAnnotation('com.acme:a=b')).toEqual({ key: 'com.acme:a', value: 'b' });
    expect(splitAnnotation('url=https://x')).toEqual({ key: 'url', value: 'https://x' });
  });

  it('mergeAnnotations puts generated ones on each default level', () => {
    expect(mergeAnnotations([{ key: 'k', value: 'v' }], [], ['manifest', 'index'])).toEqual([
      'manifest:k=v',
      'index:k=v',
    ]);
  });
});

describe('outputs and summary', () => {
  it('join with the separators and give json with tags, labels and annotations', () => {
    const sep = { 'sep-tags': ',', 'sep-labels': ' ; ', 'sep-annotations': '|' };
    const { inputs } = parseFor('push-tag', { inputs: sep });
    const { result } = metaFor('push-tag', { inputs: sep });
    const { outputs } = metaReport(result, inputs);
    expect(outputs.version).toBe('v1.2.3');
    expect(outputs.tags).toBe('ghcr.io/acme/app:v1.2.3,ghcr.io/acme/app:latest');
    expect(outputs.labels).toBe(result.labels.join(' ; '));
    expect(outputs.annotations).toBe(result.annotations.join('|'));
    const json = JSON.parse(outputs.json);
    expect(json.tags).toEqual(result.tags);
    expect(json.labels['org.opencontainers.image.version']).toBe('v1.2.3');
    expect(json.labels['org.opencontainers.image.created']).toBe(CREATED);
    expect(json.annotations).toEqual(result.annotations);
  });

  it('separators default to a newline and keep their whitespace', () => {
    expect(parseFor('push-tag').inputs.separators).toEqual({
      tags: '\n',
      labels: '\n',
      annotations: '\n',
    });
    expect(parseFor('push-tag', { inputs: { 'sep-tags': ' ' } }).inputs.separators.tags).toBe(' ');
  });

  it('outputs are also exported as DOCKER_METADATA_OUTPUT_* unless turned off', () => {
    expect(parseFor('push-tag').inputs.exportOutputEnv).toBe(true);
    const off = { env: { DOCKER_METADATA_SET_OUTPUT_ENV: 'false' } };
    expect(parseFor('push-tag', off).inputs.exportOutputEnv).toBe(false);
  });

  it('the summary shows the tags and labels as tables', () => {
    const { inputs } = parseFor('push-tag');
    const { summary } = metaReport(metaFor('push-tag').result, inputs);
    expect(summary).toContain('| Tag |');
    expect(summary).toContain('| `ghcr.io/acme/app:v1.2.3` |');
    expect(summary).toContain('| Label | Value |');
    expect(summary).toContain('| `org.opencontainers.image.version` | v1.2.3 |');
  });

  it('the summary says when there are no tags', () => {
    const c = { inputs: { tags: 'type=semver,pattern={{version}}' } };
    const { summary } = metaReport(
      metaFor('push-branch-main', c).result,
      parseFor('push-branch-main', c).inputs,
    );
    expect(summary).toContain('No tags were generated');
  });
});
