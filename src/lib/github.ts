// The GitHub API client, pointed at GITHUB_API_URL (github.com, GHES, or a local stand-in).
import * as github from '@actions/github';
import { getProxyUrl } from '@actions/http-client';
import type { Context } from '../context';

export type GitHubClient = ReturnType<typeof github.getOctokit>;

export function githubClient(token: string, ctx: Context): GitHubClient {
  // Without a proxy, Node's own fetch does the job of the toolkit's bundled undici fetch and
  // spares every run evaluating that copy (see undici-on-demand.ts); with one, the toolkit's
  // proxy-aware fetch is kept.
  const direct = getProxyUrl(ctx.apiUrl) === '';
  return github.getOctokit(token, {
    baseUrl: ctx.apiUrl,
    ...(direct ? { request: { fetch: globalThis.fetch } } : {}),
  });
}
