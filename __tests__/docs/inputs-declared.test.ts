// Every input name the code reads is declared in action.yml (a typo would silently read '').
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const declared = Object.keys(
  (parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs,
);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const READERS = /\b(?:source\.get|read[A-Z]\w*)\(\s*(?:source,\s*)?'([a-z][a-z0-9-]*)'/g;
const readByCode = new Map<string, string>();
for (const file of sourceFiles(path.join(ROOT, 'src'))) {
  if (file.endsWith('cli.ts')) continue;
  for (const match of fs.readFileSync(file, 'utf8').matchAll(READERS)) {
    readByCode.set(match[1], path.relative(ROOT, file));
  }
}

describe('action.yml', () => {
  it('declares the inputs of every stage (found in src/)', () => {
    expect(readByCode.size).toBeGreaterThan(20);
  });

  it.each([...readByCode])('declares input %s (read in %s)', (name) => {
    expect(declared).toContain(name);
  });
});
