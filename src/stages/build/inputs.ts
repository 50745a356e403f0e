// Reads and checks the build stage's inputs (docker/build-push-action v6 names) before anything
// is built: a missing context or Dockerfile, a malformed secret line, an impossible push or load.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Context } from '../../context';
import { readBoolean, readChoice, readList, type InputSource } from '../../inputs';
import { InputError } from '../../lib/errors';
import { parseLineList, splitKeyValue } from '../../lib/line-list';
import { attestArgs, defaultProvenance, toDockerEngine } from './attest';
import { readBuildEnv } from './build-env';
import { defaultGitContext, gitAuthSecretId, renderDefaultContext } from './git-context';
import {
  CACHE_CHOICES,
  CALL_METHODS,
  type BuildInputs,
  type CallMethod,
  type ContextOrigin,
  type SecretSource,
} from './model';

export type BuildContextFacts = Pick<
  Context,
  'workspace' | 'ref' | 'sha' | 'serverUrl' | 'repository' | 'payload' | 'runId' | 'runAttempt'
>;

/** Build contexts buildx fetches itself (Git, HTTP tarballs, stdin): nothing to check locally. */
export function isRemoteContext(context: string): boolean {
  return (
    context === '-' ||
    /^(?:https?|git|ssh):\/\//.test(context) ||
    context.startsWith('git@') ||
    context.startsWith('github.com/')
  );
}

// Names that usually hold a credential. Build args end up in the image history
// (`docker history`), so such values belong in `secrets`.
const CREDENTIAL_NAME =
  /(?:TOKEN|PASSWORD|PASSWD|PASSPHRASE|SECRET|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

export function credentialLookingArgs(buildArgs: string[]): string[] {
  return buildArgs
    .map((arg) => splitKeyValue(arg)?.key ?? '')
    .filter((key) => CREDENTIAL_NAME.test(key));
}

/** `KEY=value` lines; the message names the line number, never its text (it may be secret). */
function keyValueLines(source: InputSource, name: string, shape: string): string[] {
  const items = parseLineList(source.get(name, { trim: false }), name);
  items.forEach((item, index) => {
    const pair = splitKeyValue(item);
    if (!pair || /\s/.test(pair.key)) {
      throw new InputError(name, `item ${index + 1} is not ${shape} (expected one per line)`);
    }
  });
  return items;
}

function readSecrets(source: InputSource, workspace: string): SecretSource[] {
  const secrets: SecretSource[] = [];
  for (const item of keyValueLines(source, 'secrets', 'id=value')) {
    const { key, value } = splitKeyValue(item)!;
    secrets.push({ id: key, kind: 'value', value });
  }
  for (const item of keyValueLines(source, 'secret-files', 'id=path')) {
    const { key, value } = splitKeyValue(item)!;
    const file = value.trim();
    if (!fs.existsSync(path.resolve(workspace, file))) {
      throw new InputError('secret-files', `the file for secret "${key}" does not exist: ${file}`);
    }
    secrets.push({ id: key, kind: 'file', path: file });
  }
  for (const item of readList(source, 'secret-envs')) {
    const pair = splitKeyValue(item);
    if (!pair || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.value.trim())) {
      throw new InputError(
        'secret-envs',
        `"${item}" is not id=ENV_VARIABLE (e.g. GIT_AUTH_TOKEN=GITHUB_TOKEN)`,
      );
    }
    secrets.push({ id: pair.key, kind: 'env', variable: pair.value.trim() });
  }
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (seen.has(secret.id)) {
      throw new InputError('secrets', `the secret id "${secret.id}" is given twice`);
    }
    seen.add(secret.id);
  }
  return secrets;
}

function checkContextAndFile(context: string, file: string, workspace: string): void {
  if (context === '') throw new InputError('context', 'must not be empty; use . for the workspace');
  if (!isRemoteContext(context)) {
    const dir = path.resolve(workspace, context);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new InputError('context', `the directory "${context}" does not exist in ${workspace}`);
    }
  }
  // A remote context's Dockerfile is read inside it (a Git context: from the repository root).
  if (file === '-' || isRemoteContext(context)) return;
  if (file === '') {
    const fallback = path.join(context, 'Dockerfile');
    if (!fs.existsSync(path.resolve(workspace, fallback))) {
      throw new InputError(
        'file',
        `no Dockerfile at ${fallback}; set \`file\` to the Dockerfile's path (relative to the workspace)`,
      );
    }
    return;
  }
  // buildx reads `--file` relative to the working directory, not the context.
  if (!fs.existsSync(path.resolve(workspace, file))) {
    throw new InputError('file', `the Dockerfile "${file}" does not exist in ${workspace}`);
  }
}

// `context: workflow` / `context: git` are docker/metadata-action's input of that name (where
// the ref comes from, the meta stage's `ref-source`), not a directory: no build context given.
const META_CONTEXT_VALUES = ['workflow', 'git'];

/**
 * Without `context`, build-push-action builds the run's repository from Git. Gantry builds the
 * workspace instead when it holds a checkout (or the Dockerfile): files that earlier steps
 * generated and `.dockerignore` count, and nothing is cloned a second time. Without a checkout
 * it uses the same Git context as build-push-action.
 */
function chooseContext(
  raw: string,
  file: string,
  defaultContext: string,
  workspace: string,
): { context: string; origin: ContextOrigin } {
  if (raw !== '' && !META_CONTEXT_VALUES.includes(raw)) {
    const context = renderDefaultContext(raw, defaultContext);
    return { context, origin: context === raw ? 'input' : 'git' };
  }
  const hasCheckout =
    fs.existsSync(path.join(workspace, '.git')) ||
    fs.existsSync(path.resolve(workspace, file || 'Dockerfile'));
  return hasCheckout
    ? { context: '.', origin: 'workspace' }
    : { context: defaultContext, origin: 'git' };
}

/** `call` as buildx takes it; a bare `check` asks for JSON, which Gantry reads for findings. */
function readCall(source: InputSource): { call: string; callMethod: CallMethod } {
  const raw = source.get('call');
  if (raw === '') return { call: '', callMethod: 'build' };
  const [method, ...options] = raw.split(',').map((part) => part.trim());
  const callMethod = CALL_METHODS.find((m) => m === method.toLowerCase());
  if (!callMethod) {
    throw new InputError(
      'call',
      `"${raw}" is not a method buildx evaluates; use one of ${CALL_METHODS.join(', ')} ` +
        '(optionally with options, e.g. check,format=json)',
    );
  }
  const hasFormat = options.some((option) => option.startsWith('format='));
  if (callMethod === 'check' && !hasFormat) {
    return { call: [callMethod, ...options, 'format=json'].join(','), callMethod };
  }
  return { call: [callMethod, ...options].join(','), callMethod };
}

export function parseBuildInputs(
  source: InputSource,
  ctx: BuildContextFacts,
  env: NodeJS.ProcessEnv = process.env,
): BuildInputs {
  const workspace = ctx.workspace;
  const file = source.get('file');
  const defaultContext = defaultGitContext(ctx, env);
  const { context, origin: contextOrigin } = chooseContext(
    source.get('context'),
    file,
    defaultContext,
    workspace,
  );
  checkContextAndFile(context, file, workspace);

  const buildArgs = keyValueLines(source, 'build-args', 'NAME=value');
  const buildContexts = keyValueLines(source, 'build-contexts', 'name=path-or-url').map((item) =>
    renderDefaultContext(item, defaultContext),
  );
  const secrets = readSecrets(source, workspace);
  const gitAuthId = gitAuthSecretId(ctx.serverUrl);
  const githubToken = source.get('github-token');
  const usesDefaultContext =
    context.startsWith(defaultContext) ||
    buildContexts.some((item) => item.includes(defaultContext));
  const gitAuth: SecretSource | undefined =
    githubToken &&
    usesDefaultContext &&
    !secrets.some((s) => s.id === 'GIT_AUTH_TOKEN' || s.id === gitAuthId)
      ? { id: gitAuthId, kind: 'value', value: githubToken }
      : undefined;
  const platforms = readList(source, 'platforms');
  const push = readBoolean(source, 'push', false);
  const load = readBoolean(source, 'load', false);
  const tags = readList(source, 'tags');
  const metaImagesGiven = readList(source, 'images').length > 0;

  if (load && platforms.length > 1) {
    throw new InputError(
      'load',
      `the Docker engine loads one platform at a time, but platforms lists ${platforms.length} ` +
        `(${platforms.join(', ')}); push the multi-platform image, or build one platform to load`,
    );
  }
  if (push && tags.length === 0 && !metaImagesGiven) {
    throw new InputError(
      'push',
      'there is no image name to push to: set `images` (with the meta stage) or `tags` ' +
        '(full references such as ghcr.io/acme/app:1.0)',
    );
  }
  const shmSize = source.get('shm-size');
  if (shmSize !== '' && !/^\d+(?:\.\d+)?[bkmgBKMG]?[bB]?$/.test(shmSize)) {
    throw new InputError('shm-size', `"${shmSize}" is not a size such as 64m or 2g`);
  }

  const buildEnv = readBuildEnv(env);
  const outputs = readList(source, 'outputs', { ignoreComma: true, quote: false });
  const provenance = source.get('provenance');
  const sbom = source.get('sbom');
  const attests = readList(source, 'attests', { ignoreComma: true });
  const { owner, repo } = ctx.repository;
  const builderId =
    `${ctx.serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/actions/runs/${ctx.runId}` +
    `/attempts/${ctx.runAttempt}`;
  const attestRequest = {
    provenance,
    sbom,
    attests,
    builderId,
    privateRepository: ctx.payload?.repository?.private === true,
    noDefaultAttestations: buildEnv.noDefaultAttestations,
    toDockerEngine: toDockerEngine(outputs, load),
  };
  const attestations = attestArgs(attestRequest);
  // trivy-action's `cache` is a boolean (cache Trivy's DB): for the build it means no plan given.
  const cacheSource: InputSource = {
    get: (name, options) => {
      const value = source.get(name, options);
      return name === 'cache' && ['true', 'false'].includes(value.toLowerCase()) ? '' : value;
    },
  };

  const warnings = credentialLookingArgs(buildArgs).map(
    (key) =>
      `build-args: "${key}" looks like a credential. Build args are stored in the image ` +
      `history for anyone who pulls it; pass it with \`secrets\` (${key}=...) and read it with ` +
      `RUN --mount=type=secret,id=${key} instead.`,
  );

  return {
    context,
    contextOrigin,
    defaultContext,
    gitAuth,
    file,
    target: source.get('target'),
    platforms,
    buildArgs,
    buildContexts,
    secrets,
    ssh: readList(source, 'ssh', { ignoreComma: true }),
    push,
    load,
    outputs,
    cache: readChoice(cacheSource, 'cache', CACHE_CHOICES, 'auto'),
    cacheDir:
      source.get('local-cache-dir') || path.join(env.RUNNER_TEMP || os.tmpdir(), 'gantry-cache'),
    cacheFrom: readList(source, 'cache-from', { ignoreComma: true, quote: false }),
    cacheTo: readList(source, 'cache-to', { ignoreComma: true, quote: false }),
    noCache: readBoolean(source, 'no-cache', false),
    noCacheFilters: readList(source, 'no-cache-filters'),
    pull: readBoolean(source, 'pull', false),
    provenance,
    sbom,
    attests,
    attestations,
    defaultAttestation: defaultProvenance(attestRequest),
    ...readCall(source),
    cgroupParent: source.get('cgroup-parent'),
    network: source.get('network'),
    addHosts: readList(source, 'add-hosts'),
    shmSize,
    ulimit: readList(source, 'ulimit', { ignoreComma: true }),
    allow: readList(source, 'allow'),
    builder: source.get('builder'),
    tags,
    labels: parseLineList(source.get('labels', { trim: false }), 'labels'),
    annotations: parseLineList(source.get('annotations', { trim: false }), 'annotations'),
    metaImagesGiven,
    env: buildEnv,
    warnings,
  };
}
