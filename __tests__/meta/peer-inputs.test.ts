// docker/metadata-action's inputs as a user pastes them: their defaults (its getInputs table),
// the shared names `context` and `images`, `bake-target`, and its output variables.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { mapInputs } from '../../src/inputs';
import { bakeDefinitions } from '../../src/stages/meta/bake-file';
import { parseMetaInputs } from '../../src/stages/meta/inputs';
import { metaOutputs, outputEnvName } from '../../src/stages/meta/report';
import { fixtureContext, metaFor, parseFor } from './fixtures';

// docker/metadata-action's outputs (its action.yml), in the order it sets them.
const PEER_OUTPUTS = [
  'version',
  'tags',
  'tag-names',
  'labels',
  'annotations',
  'json',
  'bake-file-tags',
  'bake-file-labels',
  'bake-file-annotations',
  'bake-file',
];

const parse = (inputs: Record<string, string>) =>
  parseMetaInputs(mapInputs(inputs), fixtureContext('push-tag'), {});

describe("the peer's getInputs defaults", () => {
  it('an empty with: block', () => {
    const inputs = parse({});
    expect(inputs.refSource).toBe('workflow');
    expect(inputs.bakeTarget).toBe('docker-metadata-action');
    expect(inputs.separators).toEqual({ tags: '\n', labels: '\n', annotations: '\n' });
    expect(inputs.images).toEqual([]);
    expect(inputs.labels).toEqual([]);
    expect(inputs.annotations).toEqual([]);
  });

  it('bake-target and the separators', () => {
    const inputs = parse({
      'bake-target': 'metadata',
      images: 'moby/buildkit',
      'sep-labels': ',',
      'sep-tags': ',',
      'sep-annotations': ',',
    });
    expect(inputs.bakeTarget).toBe('metadata');
    expect(inputs.separators).toEqual({ tags: ',', labels: ',', annotations: ',' });
    expect(inputs.images).toEqual([{ name: 'moby/buildkit', enable: true }]);
  });

  it('# starts a comment only at the start of a line', () => {
    const inputs = parse({
      images: 'moby/buildkit\n#comment\nghcr.io/moby/mbuildkit',
      labels: 'mylabel=foo#bar\n#comment\nanother=bar',
    });
    expect(inputs.images.map((i) => i.name)).toEqual(['moby/buildkit', 'ghcr.io/moby/mbuildkit']);
    expect(inputs.labels).toEqual([
      { key: 'mylabel', value: 'foo#bar' },
      { key: 'another', value: 'bar' },
    ]);
  });

  it("action.yml declares the peer's inputs with its defaults", () => {
    const doc = parseYaml(
      fs.readFileSync(path.join(__dirname, '..', '..', 'action.yml'), 'utf8'),
    ) as { inputs: Record<string, { default?: string }>; outputs: Record<string, unknown> };
    expect(doc.inputs['bake-target'].default).toBe('docker-metadata-action');
    expect(doc.inputs['github-token'].default).toBe('${{ github.token }}');
    for (const sep of ['sep-tags', 'sep-labels', 'sep-annotations']) {
      expect(doc.inputs[sep].default).toBe('\n');
    }
    for (const name of ['images', 'tags', 'flavor', 'labels', 'annotations']) {
      expect(doc.inputs[name].default).toBeUndefined();
    }
    // A default here would read as set, and clash with a pasted `context: git`.
    expect(doc.inputs['ref-source'].default).toBeUndefined();
    expect(Object.keys(doc.outputs)).toEqual(expect.arrayContaining(PEER_OUTPUTS));
  });
});

describe('context: workflow|git (the ref source, in docker/metadata-action)', () => {
  it.each<[Record<string, string>, string]>([
    [{}, 'workflow'],
    [{ context: 'workflow' }, 'workflow'],
    [{ context: 'git' }, 'git'],
    [{ 'ref-source': 'git' }, 'git'],
    [{ context: 'git', 'ref-source': 'git' }, 'git'],
    // Any other value is a build context path: the build stage's, not a ref source.
    [{ context: '.' }, 'workflow'],
    [{ context: './app', 'ref-source': 'git' }, 'git'],
    [{ context: 'Git' }, 'workflow'],
  ])('%j -> %s', (inputs, refSource) => {
    expect(parse(inputs).refSource).toBe(refSource);
  });

  it.each([
    [{ context: 'git', 'ref-source': 'workflow' }, 'says workflow but context says git'],
    [{ context: 'workflow', 'ref-source': 'git' }, 'says git but context says workflow'],
  ])('%j fails naming both inputs', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
    expect(() => parse(inputs)).toThrow(/^Input "ref-source": .*context/);
  });
});

describe('outputs as the peer names them', () => {
  it('tag-names, and tag-names in json', () => {
    const { inputs } = parseFor('push-tag', {
      inputs: { tags: 'type=semver,pattern={{version}}', 'sep-tags': ',' },
    });
    const { result } = metaFor('push-tag', {
      inputs: { tags: 'type=semver,pattern={{version}}', 'sep-tags': ',' },
    });
    const outputs = metaOutputs(result, inputs);
    expect(outputs['tag-names']).toBe('1.2.3,latest');
    expect(JSON.parse(outputs.json)['tag-names']).toEqual(['1.2.3', 'latest']);
    // Without Bake files written (the stage writes them when it runs), the first six.
    expect(Object.keys(outputs)).toEqual(PEER_OUTPUTS.slice(0, 6));
  });

  it.each([
    ['version', 'DOCKER_METADATA_OUTPUT_VERSION'],
    ['tags', 'DOCKER_METADATA_OUTPUT_TAGS'],
    ['tag-names', 'DOCKER_METADATA_OUTPUT_TAG_NAMES'],
    ['json', 'DOCKER_METADATA_OUTPUT_JSON'],
    ['bake-file-tags', 'DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS'],
    ['bake-file-annotations', 'DOCKER_METADATA_OUTPUT_BAKE_FILE_ANNOTATIONS'],
    ['bake-file', 'DOCKER_METADATA_OUTPUT_BAKE_FILE'],
  ])('%s is exported as %s', (output, variable) => {
    expect(outputEnvName(output)).toBe(variable);
  });
});

describe('Bake definitions', () => {
  it('name the bake-target, and leave DOCKER_META_VERSION out without a version', () => {
    const { result } = metaFor('push-branch-main', {
      inputs: { tags: 'type=semver,pattern={{version}}', 'bake-target': 'meta' },
    });
    const definitions = bakeDefinitions(result, 'meta');
    expect(definitions.tags).toEqual({
      target: { meta: { tags: [], args: { DOCKER_META_IMAGES: 'ghcr.io/acme/app' } } },
    });
    expect(JSON.parse(JSON.stringify(definitions.all)).target.meta.args).toEqual({
      DOCKER_META_IMAGES: 'ghcr.io/acme/app',
    });
  });
});
