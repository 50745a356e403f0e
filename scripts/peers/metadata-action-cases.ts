// Turns docker/metadata-action's own test table (__tests__/meta.test.ts and its event
// fixtures) into Gantry test data: one JSON file of cases (inputs -> expected outputs) and one
// event fixture per recorded event, in Gantry's fixture format. Facts only; re-run it when the
// peer's table changes:  npx tsx scripts/peers/metadata-action-cases.ts <path to its git dir>
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const gitDir = process.argv[2] ?? '/work/.mirror/docker+metadata-action/repo';
const root = path.join(__dirname, '..', '..');
const casesFile = path.join(root, 'test', 'fixtures', 'meta', 'metadata-action-cases.json');
const eventsDir = path.join(root, 'test', 'fixtures', 'events', 'metadata-action');

const show = (file: string) =>
  execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${file}`], { encoding: 'utf8' });
const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], {
  encoding: 'utf8',
}).trim();

// The peer's tests read these GITHUB_* variables from each .env file; the rest are noise.
const ENV_KEPT = [
  'GITHUB_REF',
  'GITHUB_SHA',
  'GITHUB_REPOSITORY',
  'GITHUB_REPOSITORY_OWNER',
  'GITHUB_BASE_REF',
  'GITHUB_HEAD_REF',
  'GITHUB_REF_NAME',
  'GITHUB_REF_TYPE',
];

function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

function convertEvent(envFile: string): string {
  const name = envFile.replace(/\.env$/, '');
  const env = parseDotenv(show(`__tests__/fixtures/${envFile}`));
  const eventPath = env.GITHUB_EVENT_PATH;
  const payload = eventPath
    ? JSON.parse(show(`__tests__/fixtures/${path.basename(eventPath)}`))
    : {};
  const kept: Record<string, string> = {};
  for (const key of ENV_KEPT) if (key in env) kept[key] = env[key];
  const fixture = { eventName: env.GITHUB_EVENT_NAME ?? '', env: kept, payload };
  fs.writeFileSync(path.join(eventsDir, `${name}.json`), JSON.stringify(fixture, null, 2) + '\n');
  return `metadata-action/${name}`;
}

/** The array literals handed to test.each in each describe block, evaluated as data. */
function tables(source: string): { group: string; rows: unknown[][] }[] {
  const out: { group: string; rows: unknown[][] }[] = [];
  const describe = /^describe\('([^']+)'/gm;
  const starts = [...source.matchAll(describe)];
  starts.forEach((m, i) => {
    const body = source.slice(m.index, starts[i + 1]?.index ?? source.length);
    const at = body.indexOf('test.each(');
    const end = body.indexOf("])('given");
    if (at < 0 || end < 0) return;
    // The table is TypeScript (`as Inputs` casts): strip the types, then read it as data.
    const literal = body.slice(at + 'test.each('.length, end + 1);
    const js = ts.transpileModule(`module.exports = ${literal};`, {
      compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS },
    }).outputText;
    const module = { exports: [] as unknown[][] };
    new Function('module', js)(module);
    out.push({ group: m[1], rows: module.exports });
  });
  return out;
}

interface PeerInputs {
  images?: string[];
  tags?: string[];
  flavor?: string[];
  labels?: string[];
  annotations?: string[];
  sepTags?: string;
  sepLabels?: string;
  sepAnnotations?: string;
  bakeTarget?: string;
}

/** The peer's Inputs object as the `with:` block a user would write. */
function withBlock(inputs: PeerInputs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(inputs)) {
    const name = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    out[name] = Array.isArray(value) ? value.join('\n') : String(value);
  }
  return out;
}

fs.mkdirSync(eventsDir, { recursive: true });
fs.mkdirSync(path.dirname(casesFile), { recursive: true });
const events = new Map<string, string>();
const event = (envFile: string) => {
  if (!events.has(envFile)) events.set(envFile, convertEvent(envFile));
  return events.get(envFile)!;
};

const cases: unknown[] = [];
for (const { group, rows } of tables(show('__tests__/meta.test.ts'))) {
  for (const row of rows) {
    if (group === 'isRawStatement') {
      cases.push({
        id: `isRawStatement ${row[0]}`,
        group,
        pattern: row[0],
        expect: { raw: row[1] },
      });
      continue;
    }
    const [id, envFile, inputs] = row as [string, string, PeerInputs];
    const base = { id, group, event: event(envFile), inputs: withBlock(inputs) };
    switch (group) {
      case 'json':
        cases.push({ ...base, expect: { json: row[3] } });
        break;
      case 'bakeFile':
        cases.push({
          ...base,
          annotationLevels: 'index,manifest-descriptor',
          expect: { bakeFileTags: row[3], bakeFileLabels: row[4], bakeFileAnnotations: row[5] },
        });
        break;
      case 'bakeFileTagsLabels':
        cases.push({ ...base, expect: { bakeFile: row[3] } });
        break;
      case 'sepTags':
        cases.push({ ...base, expect: { tagsOutput: row[3] } });
        break;
      case 'pr-head-sha':
        cases.push({
          ...base,
          env: { DOCKER_METADATA_PR_HEAD_SHA: 'true' },
          expect: { version: row[3], tags: row[4], labels: row[5], annotations: row[5] },
        });
        break;
      default:
        cases.push({
          ...base,
          expect: { version: row[3], tags: row[4], labels: row[5], annotations: row[6] ?? row[5] },
        });
    }
  }
}

// What the peer's tests answer for GET /repos/{owner}/{repo}: the fields labels are made of.
const repo = JSON.parse(show('__tests__/fixtures/repo.json'));
const doc = {
  source: `docker/metadata-action@${commit} __tests__/meta.test.ts`,
  note:
    'The peer pins every clock to 2020-01-10T00:30:00Z (now, the created label, {{date}} and ' +
    '{{commit_date}}) and answers the repository API with octocat/Hello-World.',
  repository: {
    name: repo.name,
    description: repo.description,
    html_url: repo.html_url,
    default_branch: repo.default_branch,
    license: { spdx_id: repo.license?.spdx_id },
  },
  cases,
};
fs.writeFileSync(casesFile, JSON.stringify(doc, null, 2) + '\n');
// In the repository's own style, so a re-run shows only what the peer changed.
execFileSync('npx', ['prettier', '--write', casesFile, eventsDir], { cwd: root });
console.log(`${cases.length} cases, ${events.size} events -> ${path.relative(root, casesFile)}`);
