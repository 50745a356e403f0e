// docker/metadata-action's own test table (its __tests__/meta.test.ts, ported as data by
// scripts/peers/metadata-action-cases.ts) run through Gantry's meta stage: the same event, the
// same `with:` block, the same version, tags, labels, annotations, json and Bake files.
// Where Gantry differs on purpose, DIFFERENCES below says how and why, and what is checked.
//
// Deliberate differences the table does not reach (each has its own test in __tests__/meta):
// - a tag attribute the type does not take (`pattren=`), `onlatest=` not after prefix=/suffix=,
//   an unknown tz=, `match=` without a capture group: refused naming the line (the peer ignores
//   the first two and goes on with the others until they fail or misrender);
// - `images` entries with a tag or digest: refused, naming `deploy-images` (k8s-deploy's images);
// - a user annotation with its own level (`index:com.acme.x=y`) goes on that level only; the
//   peer prefixes it again with every default level (`manifest:index:com.acme.x=y`);
// - a tag starting with `.`/`-` or longer than 128 characters is trimmed to what a registry
//   accepts (the peer passes it on and the push fails);
// - DOCKER_METADATA_PR_HEAD_SHA / DOCKER_METADATA_SET_OUTPUT_ENV must be a boolean (true/false/
//   1/0); the peer reads anything but "true" as false;
// - an unreachable GitHub API (or an empty github-token) is a warning, and the labels come from
//   the event payload's copy of the repository;
// - `z`/`zz` in date formats print the platform's English zone name (GMT+9 where
//   moment-timezone's data says JST for Asia/Tokyo); every other moment token is the same.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mapInputs } from '../../src/inputs';
import { writeBakeFiles } from '../../src/stages/meta/bake-file';
import { parseMetaInputs, type MetaInputs } from '../../src/stages/meta/inputs';
import { computeMetadata, metaFacts, templateScope } from '../../src/stages/meta/metadata';
import { workflowRef } from '../../src/stages/meta/ref-context';
import { metaOutputs } from '../../src/stages/meta/report';
import { repositoryInfo } from '../../src/stages/meta/repository';
import { isRawPattern } from '../../src/stages/meta/templates';
import { computeVersion } from '../../src/stages/meta/version';
import { fixtureContext } from './fixtures';

interface PeerCase {
  id: string;
  group: string;
  event: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  annotationLevels?: string;
  pattern?: string;
  expect: {
    raw?: boolean;
    version?: { main?: string; partial: string[]; latest: boolean };
    tags?: string[];
    labels?: string[];
    annotations?: string[];
    json?: unknown;
    bakeFileTags?: unknown;
    bakeFileLabels?: unknown;
    bakeFileAnnotations?: unknown;
    bakeFile?: unknown;
    tagsOutput?: string;
  };
}

const TABLE = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '..', '..', 'test', 'fixtures', 'meta', 'metadata-action-cases.json'),
    'utf8',
  ),
) as { source: string; repository: object; cases: PeerCase[] };

// The peer's tests pin every clock (now, the created label, {{date}}, {{commit_date}}) here.
const PEER_TIME = new Date('2020-01-10T00:30:00.000Z');

/**
 * Deliberate differences, by case (`group/id`). Each case here still runs: Gantry's answer
 * is checked to be the refusal described, and then, with the refused lines taken out, to be
 * the peer's outputs for everything else.
 */
const DIFFERENCES: Record<string, { reason: string; refuses: RegExp; drop: { labels: string[] } }> =
  {};
const LABEL_WITHOUT_VALUE =
  'A `labels` line without `=` ("invalid", "foo") is dropped without a word by the peer; ' +
  'Gantry refuses it before anything runs (bad input fails, naming the line), so a typo in a ' +
  'label never silently ships an image without it.';
for (const [key, lines] of [
  ['json/json01', ['invalid']],
  ['json/json07', ['foo']],
  ['bakeFile/bakeFile01', ['invalid']],
  ['bakeFileTagsLabels/bakeFileTagsLabels01', ['invalid']],
] as const) {
  DIFFERENCES[key] = {
    reason: LABEL_WITHOUT_VALUE,
    refuses: new RegExp(`^Input "labels": "${lines[0]}" is not a key=value entry`),
    drop: { labels: [...lines] },
  };
}

const key = (c: PeerCase) => `${c.group}/${c.id}`;

function withoutLines(inputs: Record<string, string>, drop: { labels: string[] }) {
  const labels = (inputs.labels ?? '').split('\n').filter((line) => !drop.labels.includes(line));
  return { ...inputs, labels: labels.join('\n') };
}

function run(c: PeerCase, withInputs: Record<string, string> = c.inputs) {
  const ctx = fixtureContext(c.event);
  const env: Record<string, string> = {
    SOURCE_DATE_EPOCH: String(PEER_TIME.getTime() / 1000),
    ...c.env,
  };
  if (c.annotationLevels) env.DOCKER_METADATA_ANNOTATIONS_LEVELS = c.annotationLevels;
  const inputs: MetaInputs = parseMetaInputs(mapInputs(withInputs), ctx, env);
  const { ref, sha } = workflowRef(ctx, inputs.prHeadSha);
  const repository = repositoryInfo(TABLE.repository, ctx.repository.repo);
  const facts = metaFacts(ctx, { ref, sha, commitDate: PEER_TIME }, repository);
  const { result } = computeMetadata(inputs, facts);
  const version = computeVersion(inputs.tags, inputs.flavor, {
    ...templateScope(inputs, facts),
    defaultBranch: facts.ref.defaultBranch,
  });
  return { inputs, result, version };
}

function check(c: PeerCase, withInputs?: Record<string, string>) {
  expect.hasAssertions();
  const { inputs, result, version } = run(c, withInputs);
  const { expect: want } = c;
  if (want.version) {
    expect({ main: version.main, partial: version.partial, latest: version.latest }).toEqual(
      want.version,
    );
    expect(result.version).toBe(want.version.main ?? '');
  }
  if (want.tags) expect(result.tags).toEqual(want.tags);
  if (want.labels) expect(result.labels).toEqual(want.labels);
  if (want.annotations) {
    // The peer's table holds annotations before the level prefix its `annotations` output adds.
    const levels = (c.annotationLevels ?? 'manifest').split(',');
    expect(result.annotations).toEqual(
      levels.flatMap((level) => want.annotations!.map((a) => `${level}:${a}`)),
    );
  }
  const outputs = metaOutputs(result, inputs);
  if (want.json) expect(JSON.parse(outputs.json)).toEqual(want.json);
  if (want.tagsOutput !== undefined) expect(outputs.tags).toBe(want.tagsOutput);
  if (want.bakeFileTags || want.bakeFile) {
    // Written the way the stage writes them, read back the way Bake reads them.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-peer-bake-'));
    try {
      const files = writeBakeFiles(result, inputs.bakeTarget, { RUNNER_TEMP: dir });
      const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (want.bakeFileTags) expect(read(files.tags)).toEqual(want.bakeFileTags);
      if (want.bakeFileLabels) expect(read(files.labels)).toEqual(want.bakeFileLabels);
      if (want.bakeFileAnnotations) {
        expect(read(files.annotations)).toEqual(want.bakeFileAnnotations);
      }
      if (want.bakeFile) expect(read(files.all)).toEqual(want.bakeFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

const eventCases = TABLE.cases.filter((c) => c.group !== 'isRawStatement');

describe(`docker/metadata-action's table (${TABLE.source})`, () => {
  it('holds every case of the peer table', () => {
    expect(TABLE.cases).toHaveLength(136);
    expect(new Set(TABLE.cases.map(key)).size).toBe(TABLE.cases.length);
  });

  it.each(
    TABLE.cases.filter((c) => c.group === 'isRawStatement').map((c) => [c.pattern!, c] as const),
  )('isRawStatement %s', (pattern, c) => {
    expect(isRawPattern(pattern)).toBe(c.expect.raw);
  });

  const agreed = eventCases.filter((c) => !DIFFERENCES[key(c)]);
  describe.each([...new Set(agreed.map((c) => c.group))])('%s', (group) => {
    const cases = agreed.filter((c) => c.group === group);
    it.each(cases.map((c) => [`${c.id} (${c.event.replace(/^.*\//, '')})`, c] as const))(
      '%s',
      (_name, c) => check(c),
    );
  });

  describe('deliberate differences', () => {
    it.each(Object.entries(DIFFERENCES))('%s', (caseKey, difference) => {
      const c = eventCases.find((candidate) => key(candidate) === caseKey)!;
      expect(c).toBeDefined();
      expect(() => run(c)).toThrow(difference.refuses);
      check(c, withoutLines(c.inputs, difference.drop));
    });
  });
});

it('the peer table runs under the pinned clock (a case fails when the clock moves)', () => {
  const c = eventCases.find((candidate) => candidate.id === 'schedule03')!;
  expect(c.expect.tags).toEqual(['user/app:20200110-003000']);
  const moved = { ...c, env: { SOURCE_DATE_EPOCH: String(PEER_TIME.getTime() / 1000 + 1) } };
  expect(() => check(moved)).toThrow();
});
