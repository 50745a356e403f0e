// The files that can set findings aside (ignore files, rego ignore policy, secret rules) or
// change the scan's settings (trivy.yaml). On pull requests they are read from the base
// branch: a pull request must not silence its own findings by adding or editing one.
import * as fs from 'fs';
import * as path from 'path';
import type { Context } from '../../context';
import { errorMessage } from '../../lib/errors';
import { run } from '../../lib/exec';
import { githubClient } from '../../lib/github';
import type { PolicyFileRequest, PolicyRole } from './inputs';

export interface PolicyFile {
  role: PolicyRole;
  input: string;
  /** How the reports name it: workspace-relative, with where it was read from. */
  name: string;
  /** Absolute path in the checkout. */
  path: string;
  /** What Trivy is given; undefined = the file does not apply. */
  content?: string;
  /** Said in the log and summary: why the checkout's version did not apply. */
  note?: string;
}

/** Where a pull request's base branch keeps its files. */
export interface BaseBranch {
  sha: string;
  /** The file's content at the base commit, undefined when the base has no such file. */
  read(relativePath: string): Promise<string | undefined>;
}

export function isPullRequest(ctx: Context): boolean {
  return ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target';
}

export const OPT_OUT_INPUT = 'trust-pr-policy-files';

/**
 * What applies of one file: the checkout's version outside pull requests, the base branch's
 * on them (a file the pull request adds applies not at all).
 */
export function choosePolicyContent(
  request: PolicyFileRequest,
  relative: string,
  checkout: string,
  base: { sha: string; content: string | undefined } | { sha: string; error: string } | undefined,
): PolicyFile {
  const file = { role: request.role, input: request.input, path: request.path };
  if (!base) return { ...file, name: relative, content: checkout };
  const at = `base branch ${base.sha.slice(0, 7)}`;
  if ('error' in base) {
    return {
      ...file,
      name: relative,
      note:
        `${relative} was not applied: it could not be read from the ${at} (${base.error}), ` +
        `and a pull request's own version is not trusted (${OPT_OUT_INPUT})`,
    };
  }
  if (base.content === undefined) {
    return {
      ...file,
      name: relative,
      note:
        `${relative} was not applied: this pull request adds it, and a pull request's own ` +
        `policy files are not trusted (set ${OPT_OUT_INPUT}: true to trust them)`,
    };
  }
  const note =
    base.content === checkout
      ? undefined
      : `${relative} as of the ${at} applied; this pull request's changes to it did not ` +
        `(set ${OPT_OUT_INPUT}: true to trust them)`;
  return { ...file, name: `${relative} (${at})`, content: base.content, note };
}

/** Base-branch reads through the local clone, else the contents API (shallow checkouts). */
export function baseBranch(ctx: Context, token: string): BaseBranch | undefined {
  const sha = ctx.payload.pull_request?.base?.sha as string | undefined;
  if (!sha) return undefined;
  let hasCommit: Promise<boolean> | undefined;
  const git = (args: string[]) =>
    run('git', ['-C', ctx.workspace, ...args], { allowFailure: true });
  return {
    sha,
    async read(relativePath) {
      hasCommit ??= git(['cat-file', '-e', `${sha}^{commit}`]).then(
        (r) => r.exitCode === 0,
        () => false,
      );
      if (await hasCommit) {
        const shown = await git(['show', `${sha}:${relativePath}`]);
        return shown.exitCode === 0 ? shown.stdout : undefined;
      }
      if (!token) throw new Error('the commit is not in the checkout and there is no github-token');
      try {
        const { data } = await githubClient(token, ctx).rest.repos.getContent({
          ...ctx.repository,
          path: relativePath,
          ref: sha,
        });
        if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string') {
          return undefined;
        }
        return Buffer.from(data.content, 'base64').toString('utf8');
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
  };
}

export async function readPolicyFiles(
  requests: PolicyFileRequest[],
  ctx: Context,
  options: { trustPullRequest: boolean; token: string },
): Promise<PolicyFile[]> {
  const guarded = isPullRequest(ctx) && !options.trustPullRequest;
  // Without a base commit nothing can be checked: nothing the pull request brings applies.
  const base = guarded
    ? (baseBranch(ctx, options.token) ?? {
        sha: 'unknown',
        read: () => Promise.reject(new Error('the event names no base commit')),
      })
    : undefined;
  const files: PolicyFile[] = [];
  for (const request of requests) {
    const relative = path.relative(ctx.workspace, request.path).split(path.sep).join('/');
    const checkout = fs.readFileSync(request.path, 'utf8');
    const inCheckout = !relative.startsWith('../') && !path.isAbsolute(relative);
    if (!base || !inCheckout) {
      files.push(
        choosePolicyContent(request, inCheckout ? relative : request.path, checkout, undefined),
      );
      continue;
    }
    let atBase: Parameters<typeof choosePolicyContent>[3];
    try {
      atBase = { sha: base.sha, content: await base.read(relative) };
    } catch (err) {
      atBase = { sha: base.sha, error: errorMessage(err) };
    }
    files.push(choosePolicyContent(request, relative, checkout, atBase));
  }
  return files;
}
