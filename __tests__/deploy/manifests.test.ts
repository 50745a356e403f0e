import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputError } from '../../src/lib/errors';
import { loadManifests, parseManifests } from '../../src/stages/deploy/manifests';

const FIXTURES = path.join(__dirname, '..', '..', 'test', 'fixtures', 'deploy');

describe('parseManifests', () => {
  it('reads every document with its line, skipping empty ones and expanding Lists', () => {
    const text = [
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - {apiVersion: v1, kind: Secret, metadata: {name: b}}',
      '  - {apiVersion: v1, kind: Service, metadata: {name: c}}',
    ].join('\n');
    const manifests = parseManifests(text, 'all.yaml');
    expect(manifests.map((m) => [m.object.kind, m.object.metadata.name, m.line])).toEqual([
      ['ConfigMap', 'a', 2],
      ['Secret', 'b', 8],
      ['Service', 'c', 8],
    ]);
  });

  it.each([
    [
      'invalid YAML',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n',
      /^Input "manifests": bad\.yaml:\d+:\d+: invalid YAML/,
    ],
    ['a scalar document', 'just text\n', /bad\.yaml:1: a manifest must be a mapping/],
    ['no kind', 'apiVersion: v1\nmetadata: {name: x}\n', /bad\.yaml:1: the document has no kind/],
    [
      'no apiVersion',
      'kind: Pod\nmetadata: {name: x}\n',
      /bad\.yaml:1: the document has no apiVersion/,
    ],
    [
      'no name',
      'apiVersion: v1\nkind: Pod\nmetadata: {}\n',
      /bad\.yaml:1: Pod has no metadata.name/,
    ],
    [
      'second document without name',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  labels: {}\n',
      /bad\.yaml:5: Pod has no metadata.name/,
    ],
  ])('names file and line for %s', (_name, text, message) => {
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(InputError);
    expect(() => parseManifests(text, 'bad.yaml')).toThrow(message);
  });
});

describe('loadManifests', () => {
  const names = async (entries: string[]) =>
    (await loadManifests(entries, FIXTURES)).manifests.map(
      (m) => `${m.file}#${m.object.metadata.name}`,
    );

  it('walks directories recursively, reads .yml and .yaml, and reports other files', async () => {
    const loaded = await loadManifests(['app'], FIXTURES);
    expect(loaded.manifests.map((m) => `${m.file}#${m.object.metadata.name}`)).toEqual([
      'app/config/limits.yaml#web-limits',
      'app/deployment.yaml#web',
      'app/service.yml#web',
      'app/service.yml#web-settings',
    ]);
    expect(loaded.ignored).toEqual(['app/NOTES.txt']);
  });

  it.each([
    ['a file', ['routing/ingress.yaml'], ['routing/ingress.yaml#web']],
    ['a glob', ['routing/*.yaml'], ['routing/httproute.yaml#web', 'routing/ingress.yaml#web']],
    [
      'a recursive glob',
      ['app/**/*.yaml'],
      ['app/config/limits.yaml#web-limits', 'app/deployment.yaml#web'],
    ],
    [
      'the same file twice',
      ['routing/ingress.yaml', 'routing/*.yaml'],
      ['routing/ingress.yaml#web', 'routing/httproute.yaml#web'],
    ],
  ])('loads %s', async (_name, entries, expected) => {
    expect(await names(entries)).toEqual(expected);
  });

  it.each([
    ['a missing path', ['nowhere.yaml'], /nowhere\.yaml: no such file or directory/],
    [
      'a glob matching nothing',
      ['routing/*.json'],
      /routing\/\*\.json matched no \.yml or \.yaml files/,
    ],
  ])('rejects %s', async (_name, entries, message) => {
    await expect(loadManifests(entries, FIXTURES)).rejects.toThrow(message);
  });

  it('names the file and line of invalid YAML in a directory', async () => {
    // Written here rather than kept as a fixture: formatters refuse to read invalid YAML.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-manifests-'));
    fs.mkdirSync(path.join(dir, 'broken'));
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: fine',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: broken',
      'data:',
      '  key: [unclosed',
      '  other: value',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'broken', 'invalid.yaml'), `${text}\n`);
    await expect(loadManifests(['broken'], dir)).rejects.toThrow(
      /^Input "manifests": broken\/invalid\.yaml:12:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
    );
  });

  it('rejects manifests that hold no objects', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-manifests-'));
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '# nothing yet\n---\n');
    await expect(loadManifests(['.'], dir)).rejects.toThrow(/hold no Kubernetes objects/);
  });
});
