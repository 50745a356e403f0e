// The GitHub API client, pointed at GITHUB_API_URL (github.com, GHES, or a local stand-in).
import * as github from '@actions/github';
import type { Context } from '../context';

export type GitHubClient = ReturnType<typeof github.getOctokit>;

export function githubClient(token: string, ctx: Context): GitHubClient {
  return github.getOctokit(token, { baseUrl: ctx.apiUrl });
}
