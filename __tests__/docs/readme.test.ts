// The docs cannot drift: every workflow snippet in the README (and .github/workflows) uses only
// inputs action.yml declares, and the README's reference is the one generated from action.yml.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { generated, renderReference } from '../../scripts/docs';

const ROOT = path.resolve(__dirname, '..', '..');
const actionYml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
const action = parseYaml(actionYml) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/** Steps that run Gantry: `uses: ./` or any `<owner>/gantry@<ref>`. */
function gantrySteps(workflow: unknown): Step[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: Step[] }> })?.jobs ?? {};
  return Object.values(jobs)
    .flatMap((job) => job.steps ?? [])
    .filter((step) => step.uses === './' || /(^|\/)gantry@/.test(step.uses ?? ''));
}

const snippets = [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]);
const workflowsDir = path.join(ROOT, '.github', 'workflows');
const workflowFiles = fs.existsSync(workflowsDir)
  ? fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))
  : [];

describe('README', () => {
  it('has workflow snippets that run Gantry', () => {
    const steps = snippets.flatMap((s) => gantrySteps(parseYaml(s)));
    expect(steps.length).toBeGreaterThan(0);
  });

  it.each(snippets.map((snippet, i) => [i + 1, snippet]))(
    'workflow snippet %i uses only inputs declared in action.yml',
    (_i, snippet) => {
      for (const step of gantrySteps(parseYaml(snippet as string))) {
        const unknown = Object.keys(step.with ?? {}).filter((key) => !(key in action.inputs));
        expect(unknown).toEqual([]);
      }
    },
  );

  it('carries the input/output reference generated from action.yml', () => {
    expect(readme).toContain(renderReference(actionYml));
  });

  it.each(
    [...generated(actionYml, readme)].map(([file, text]) => [path.relative(ROOT, file), text]),
  )('%s is what `npm run docs` generates (Moving over, declared inputs)', (file, text) => {
    expect(fs.readFileSync(path.join(ROOT, file as string), 'utf8')).toBe(text);
  });
});

describe('.github/workflows', () => {
  it.each(workflowFiles)('%s uses only inputs declared in action.yml', (file) => {
    const workflow = parseYaml(fs.readFileSync(path.join(workflowsDir, file), 'utf8'));
    for (const step of gantrySteps(workflow)) {
      const unknown = Object.keys(step.with ?? {}).filter((key) => !(key in action.inputs));
      expect(unknown).toEqual([]);
    }
  });
});
