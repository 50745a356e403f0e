// Loads Kubernetes manifests from files, directories (recursively, .yml/.yaml) and globs, and
// parses their YAML documents into objects that remember their file and line for errors.
import * as fs from 'fs';
import * as path from 'path';
import * as glob from '@actions/glob';
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../../lib/errors';
import type { KubeObject, Manifest } from './model';

const MANIFEST_FILE = /\.ya?ml$/i;

export interface LoadedManifests {
  manifests: Manifest[];
  /** Files found in directories or globs that are not YAML and were skipped. */
  ignored: string[];
}

/** The YAML documents of one file; a `List` contributes its items. Errors name file:line. */
export function parseManifests(text: string, file: string): Manifest[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const out: Manifest[] = [];
  for (const doc of documents) {
    const firstError = doc.errors[0];
    if (firstError) {
      const { line, col } = lineCounter.linePos(firstError.pos[0]);
      const reason = firstError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new InputError('manifests', `${file}:${line}:${col}: invalid YAML: ${reason}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const line = lineCounter.linePos(doc.contents?.range[0] ?? 0).line;
    const items =
      isObject(value) && value.kind === 'List' && Array.isArray(value.items)
        ? value.items
        : [value];
    for (const item of items) out.push({ object: checkObject(item, file, line), file, line });
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkObject(value: unknown, file: string, line: number): KubeObject {
  const where = `${file}:${line}`;
  if (!isObject(value)) {
    throw new InputError(
      'manifests',
      `${where}: a manifest must be a mapping with apiVersion, kind and metadata`,
    );
  }
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      throw new InputError('manifests', `${where}: the document has no ${field}`);
    }
  }
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    throw new InputError('manifests', `${where}: ${String(value.kind)} has no metadata.name`);
  }
  return value as unknown as KubeObject;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

const GLOB_CHARS = /[*?[\]{}]/;

/** Files named by one `manifests` entry: a file, a directory's YAML files, or a glob's. */
async function resolveEntry(entry: string, cwd: string, ignored: string[]): Promise<string[]> {
  const full = path.resolve(cwd, entry);
  if (fs.existsSync(full)) {
    if (fs.statSync(full).isFile()) return [full];
    const found = walk(full);
    ignored.push(...found.filter((file) => !MANIFEST_FILE.test(file)));
    return found.filter((file) => MANIFEST_FILE.test(file));
  }
  if (!GLOB_CHARS.test(entry)) {
    throw new InputError('manifests', `${entry}: no such file or directory`);
  }
  const globber = await glob.create(path.isAbsolute(entry) ? entry : path.join(cwd, entry), {
    matchDirectories: false,
    implicitDescendants: false,
  });
  const found = (await globber.glob()).sort();
  ignored.push(...found.filter((file) => !MANIFEST_FILE.test(file)));
  return found.filter((file) => MANIFEST_FILE.test(file));
}

export async function loadManifests(entries: string[], cwd: string): Promise<LoadedManifests> {
  const ignored: string[] = [];
  const files: string[] = [];
  for (const entry of entries) {
    const found = await resolveEntry(entry, cwd, ignored);
    if (found.length === 0) {
      throw new InputError('manifests', `${entry} matched no .yml or .yaml files`);
    }
    for (const file of found) if (!files.includes(file)) files.push(file);
  }
  const manifests: Manifest[] = [];
  for (const file of files) {
    const shown = path.relative(cwd, file) || file;
    manifests.push(...parseManifests(fs.readFileSync(file, 'utf8'), shown));
  }
  if (manifests.length === 0) {
    throw new InputError('manifests', `${entries.join(', ')} hold no Kubernetes objects`);
  }
  return { manifests, ignored: ignored.map((file) => path.relative(cwd, file) || file) };
}
