// The build stage's only contact with the outside world: the docker CLI (buildx, or `docker
// build` and `docker push` without it), the temporary files for secrets and metadata.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run, type RunOptions, type RunResult } from '../../lib/exec';
import { parseBuildxInspect, type BuilderInfo } from './builder-info';
import { buildxInvocation } from './buildx-plugin';
import { storedBuilder } from './builder-store';
import { readManifest } from '../../lib/registry-manifest';
import { firstPlatformManifest, manifestSize } from './metadata';
import type { SecretSource } from './model';
import type { TagState } from './partial-push';

/** A docker command; `buildx …` ones go to the buildx plugin directly where it is found. */
function docker(args: string[], options: RunOptions): Promise<RunResult> {
  if (args[0] !== 'buildx') return run('docker', args, options);
  const invocation = buildxInvocation(args.slice(1), options.env ?? process.env);
  return run(invocation.tool, invocation.args, options);
}

/** Whether the buildx plugin runs at all. */
export async function buildxInstalled(cwd: string): Promise<boolean> {
  return (await docker(['buildx', 'version'], { allowFailure: true, cwd })).exitCode === 0;
}

/** The builder's name and driver, from `docker buildx inspect`. */
export async function inspectBuilder(builder: string, cwd: string): Promise<BuilderInfo> {
  const args = ['buildx', 'inspect', ...(builder ? [builder] : [])];
  const result = await docker(args, { allowFailure: true, cwd });
  if (result.exitCode !== 0) {
    throw new Error(
      `buildx cannot use the builder ${builder ? `"${builder}"` : '(default)'}: ` +
        `${(result.stderr || result.stdout).trim()}. Check the \`builder\` input or BUILDX_BUILDER.`,
    );
  }
  return parseBuildxInspect(result.stdout);
}

const probes = new Map<string, Promise<BuilderInfo | undefined>>();

/**
 * The builder's driver from buildx's store when it is named there, else `buildx inspect`, asked
 * once per builder and early (the stage's prepare starts it, beside the
 * other stages' checks), so the build need not fail first to learn what the builder can do.
 * Undefined when it does not answer: the build then finds out by trying, as before.
 */
export function probeBuilder(builder: string, cwd: string): Promise<BuilderInfo | undefined> {
  const key = `${cwd}\0${builder}`;
  let probe = probes.get(key);
  if (!probe) {
    const stored = storedBuilder(builder, process.env);
    probe = stored
      ? Promise.resolve(stored)
      : inspectBuilder(builder, cwd).then(
          (info) => (info.driver ? info : undefined),
          () => undefined,
        );
    probes.set(key, probe);
  }
  return probe;
}

/** The docker CLI's own version (the fallback's abilities depend on it). */
export async function dockerCliVersion(cwd: string): Promise<string> {
  const cli = await docker(['version', '--format', '{{.Client.Version}}'], {
    allowFailure: true,
    cwd,
  });
  const version = cli.stdout.trim().split('\n')[0] ?? '';
  if (!version)
    throw new Error(`the docker CLI does not run: ${(cli.stderr || cli.stdout).trim()}`);
  return version;
}

/**
 * A private temporary directory for secret values, metadata and the image ID; removed after,
 * or once the work `fn` hands to `keepUntil` is done (a later build reading the secret files).
 */
export async function withWorkDir<T>(
  fn: (dir: string, keepUntil: (work: Promise<unknown>) => void) => Promise<T>,
): Promise<T> {
  const parent = process.env.RUNNER_TEMP || os.tmpdir();
  const dir = fs.mkdtempSync(path.join(parent, 'gantry-build-'));
  fs.chmodSync(dir, 0o700);
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  let kept: Promise<unknown> | undefined;
  try {
    return await fn(dir, (work) => (kept = work));
  } finally {
    if (kept) void kept.finally(remove);
    else remove();
  }
}

/** Writes each value secret to its planned 0600 file so no value reaches a command line. */
export function writeSecretFiles(secrets: SecretSource[], files: Record<string, string>): void {
  for (const secret of secrets) {
    if (secret.kind === 'value') fs.writeFileSync(files[secret.id], secret.value, { mode: 0o600 });
  }
}

export function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Runs a build with its progress streamed to the log; returns the whole log for counting. */
export async function runBuild(
  args: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    onLine?: (line: string) => void;
    onStart?: () => void;
  },
): Promise<string> {
  const result = await docker(args, { ...options, stream: true });
  return `${result.stderr}\n${result.stdout}`;
}

/** A build whose log is kept, not streamed (one beside other stages' logs): its result. */
export async function runQuietBuild(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; niceness?: number },
): Promise<RunResult> {
  return docker(args, { ...options, allowFailure: true });
}

/** A `--call` evaluation (check, outline, targets): its exit code is the verdict, not a crash. */
export async function runCall(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return docker(args, { ...options, stream: true, allowFailure: true });
}

/** The digest a tag points at in the registry, read with `buildx imagetools inspect`. */
export async function tagDigest(ref: string, builder: string, cwd: string): Promise<TagState> {
  const args = ['buildx', 'imagetools', 'inspect', '--format', '{{json .Manifest}}', ref];
  if (builder) args.push('--builder', builder);
  const result = await docker(args, { allowFailure: true, cwd });
  if (result.exitCode === 0) {
    const digest = /"digest":\s*"(sha256:[a-f0-9]{64})"/.exec(result.stdout)?.[1];
    if (digest) return { digest };
  }
  const text = (result.stderr || result.stdout).trim();
  if (/not found|manifest unknown|404/i.test(text)) return { missing: true };
  return { unknown: text.split('\n').pop() ?? `exit code ${result.exitCode}` };
}

export async function dockerPush(ref: string, cwd: string): Promise<string> {
  const result = await docker(['push', ref], { cwd, stream: true });
  return result.stdout;
}

/** Uncompressed size of an image in the engine, in bytes. */
export async function engineImageSize(imageId: string, cwd: string): Promise<number | undefined> {
  const result = await docker(['image', 'inspect', '--format', '{{.Size}}', imageId], {
    allowFailure: true,
    cwd,
  });
  const size = Number(result.stdout.trim());
  return result.exitCode === 0 && Number.isFinite(size) ? size : undefined;
}

/**
 * What a pull of the pushed image downloads (first platform), from the registry's manifest.
 * `platformManifest` (read from the build log) saves a round trip through the index.
 */
export async function registryImageSize(
  pinned: string,
  platformManifest: string | undefined,
  builder: string,
  cwd: string,
): Promise<number | undefined> {
  // Read directly when the registry lets that through (no process to start), else by buildx.
  const raw = async (ref: string) => {
    const direct = await readManifest(ref);
    if (direct !== undefined) return direct;
    const args = ['buildx', 'imagetools', 'inspect', '--raw', ref];
    if (builder) args.push('--builder', builder);
    const result = await docker(args, { allowFailure: true, cwd });
    return result.exitCode === 0 ? result.stdout : undefined;
  };
  const name = pinned.split('@')[0];
  const top = await raw(platformManifest ? `${name}@${platformManifest}` : pinned);
  if (!top) return undefined;
  const platformDigest = firstPlatformManifest(top);
  if (!platformDigest) return manifestSize(top);
  const manifest = await raw(`${name}@${platformDigest}`);
  return manifest ? manifestSize(manifest) : undefined;
}
