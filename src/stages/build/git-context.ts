// The build context when `context` is not given, as docker/build-push-action builds it: the
// run's own repository as a Git URL BuildKit clones itself, pinned to the event's commit, with
// the workflow's token as the `GIT_AUTH_TOKEN.<host>` build secret. Pure.
import type { Context } from '../../context';

export type GitContextFacts = Pick<Context, 'ref' | 'sha' | 'serverUrl' | 'repository' | 'payload'>;

function envTrue(value: string | undefined): boolean {
  return ['true', '1', 'yes', 'on'].includes((value ?? '').trim().toLowerCase());
}

/**
 * `<server>/<owner>/<repo>.git#<commit>` (or `?ref=<commit>` with
 * BUILDX_SEND_GIT_QUERY_AS_INPUT, which buildx 0.29 and later read as the query form).
 * The commit is GITHUB_SHA; without one, the ref. A pull request's merge ref becomes its head
 * ref, pinned to the head commit, when DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF is true.
 */
export function defaultGitContext(facts: GitContextFacts, env: NodeJS.ProcessEnv): string {
  let ref = facts.ref;
  if (!ref.startsWith('refs/')) ref = `refs/heads/${ref}`;
  else if (ref.startsWith('refs/pull/') && envTrue(env.DOCKER_DEFAULT_GIT_CONTEXT_PR_HEAD_REF)) {
    ref = ref.replace(/\/merge$/, '/head');
  }
  let commit = facts.sha || ref;
  if (ref.startsWith('refs/pull/') && ref.endsWith('/head')) {
    const headSha = facts.payload?.pull_request?.head?.sha as unknown;
    commit = typeof headSha === 'string' ? headSha : ref;
  }
  const { owner, repo } = facts.repository;
  const base = `${facts.serverUrl.replace(/\/+$/, '')}/${owner}/${repo}.git`;
  return envTrue(env.BUILDX_SEND_GIT_QUERY_AS_INPUT)
    ? `${base}?ref=${commit}`
    : `${base}#${commit}`;
}

// build-push-action renders `context` and `build-contexts` as Handlebars templates with one
// variable; only that variable is replaced here (other braces are the user's text).
const DEFAULT_CONTEXT_TEMPLATE = /\{\{\s*defaultContext\s*\}\}/g;

export function renderDefaultContext(value: string, defaultContext: string): string {
  return value.replace(DEFAULT_CONTEXT_TEMPLATE, () => defaultContext);
}

/** The secret id BuildKit reads to authenticate Git fetches from `host`. */
export function gitAuthSecretId(serverUrl: string): string {
  let host = 'github.com';
  try {
    host = new URL(serverUrl).host;
  } catch {
    // An unparsable GITHUB_SERVER_URL leaves github.com, as the runner's default.
  }
  return `GIT_AUTH_TOKEN.${host}`;
}

/**
 * The directory inside the repository a Git context builds (`#ref:subdir`, `?subdir=`), '' for
 * the root; undefined for a local context, whose paths are the workspace's.
 */
export function gitSubdir(inputs: { context: string; contextOrigin: string }): string | undefined {
  if (inputs.contextOrigin !== 'git') return undefined;
  const query = /[?&]subdir=([^&#]*)/.exec(inputs.context);
  if (query) return decodeURIComponent(query[1]);
  const fragment = inputs.context.split('#')[1] ?? '';
  const colon = fragment.indexOf(':');
  return colon >= 0 ? fragment.slice(colon + 1) : '';
}
