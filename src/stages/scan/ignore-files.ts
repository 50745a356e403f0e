// Merges several ignore files into the one Trivy accepts (--ignorefile), keeping Trivy's
// formats: plain `.trivyignore` lines (`ID [exp:YYYY-MM-DD]`) or `.trivyignore.yaml`.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../../lib/errors';

export interface IgnoreFile {
  path: string;
  content: string;
}

/** What Trivy reads: the file name must end in .yaml for the YAML format. */
export interface MergedIgnoreFile {
  format: 'plain' | 'yaml';
  content: string;
}

// The sections of Trivy's YAML ignore file; a plain line applies to all of them.
const SECTIONS = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'] as const;
type Section = (typeof SECTIONS)[number];
type YamlIgnore = Partial<Record<Section, Record<string, unknown>[]>>;

export function isYamlIgnoreFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/** Plain lines as YAML entries, so a plain file can join YAML ones. */
function plainEntries(content: string): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [id, ...rest] = line.split(/\s+/);
    const entry: Record<string, unknown> = { id };
    const expiry = rest.find((field) => field.startsWith('exp:'));
    if (expiry) entry.expired_at = expiry.slice('exp:'.length);
    entries.push(entry);
  }
  return entries;
}

function yamlSections(file: IgnoreFile): YamlIgnore {
  let doc: unknown;
  try {
    doc = parseYaml(file.content) ?? {};
  } catch (err) {
    throw new InputError(
      'trivyignores',
      `${file.path} is not valid YAML: ${(err as Error).message}`,
    );
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError(
      'trivyignores',
      `${file.path} must be a mapping of ${SECTIONS.join(', ')}`,
    );
  }
  const sections: YamlIgnore = {};
  for (const section of SECTIONS) {
    const list = (doc as Record<string, unknown>)[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      throw new InputError('trivyignores', `${file.path}: \`${section}\` must be a list`);
    }
    sections[section] = list as Record<string, unknown>[];
  }
  return sections;
}

export function mergeIgnoreFiles(files: IgnoreFile[]): MergedIgnoreFile {
  if (!files.some((file) => isYamlIgnoreFile(file.path))) {
    const content = files
      .map((file) => `# from ${file.path}\n${file.content.trimEnd()}\n`)
      .join('');
    return { format: 'plain', content };
  }
  const merged: Required<YamlIgnore> = {
    vulnerabilities: [],
    misconfigurations: [],
    secrets: [],
    licenses: [],
  };
  for (const file of files) {
    if (isYamlIgnoreFile(file.path)) {
      const sections = yamlSections(file);
      for (const section of SECTIONS) merged[section].push(...(sections[section] ?? []));
    } else {
      const entries = plainEntries(file.content);
      for (const section of SECTIONS) merged[section].push(...entries.map((e) => ({ ...e })));
    }
  }
  const used = Object.fromEntries(
    SECTIONS.filter((s) => merged[s].length > 0).map((s) => [s, merged[s]]),
  );
  return { format: 'yaml', content: stringifyYaml(used) };
}

/** The first line of an ignore file (plain or YAML) that names `id`, 1-based. */
export function ruleLine(content: string, id: string): number | undefined {
  if (!id) return undefined;
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[\\s:"'])${escaped}($|[\\s"'])`);
  const lines = content.split(/\r?\n/);
  const index = lines.findIndex((line) => !line.trim().startsWith('#') && pattern.test(line));
  return index >= 0 ? index + 1 : undefined;
}

/** Which applied file set a finding aside, as the reports name it (`.trivyignore:3`). */
export function suppressingRule(
  id: string,
  source: string,
  files: { name: string; role: string; content: string; given?: string }[],
): string | undefined {
  // A rego policy or a VEX document is named by Trivy as the file it was given.
  const bySource = files.find((f) => f.given !== undefined && f.given === source);
  if (bySource && bySource.role !== 'ignorefile') return bySource.name;
  for (const file of files.filter((f) => f.role === 'ignorefile')) {
    const line = ruleLine(file.content, id);
    if (line !== undefined) return `${file.name}:${line}`;
  }
  return bySource?.name;
}
