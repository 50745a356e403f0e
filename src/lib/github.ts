// The GitHub API client, pointed at GITHUB_API_URL (github.com, GHES, or a local stand-in).
import * as github from '@actions/github';
import type { Context } from '../context';
import { httpFetch } from './http-fetch';

export type GitHubClient = ReturnType<typeof github.getOctokit>;

export function githubClient(token: string, ctx: Context): GitHubClient {
  // Requests go through the toolkit's HttpClient (see http-fetch.ts); the toolkit's bundled
  // undici fetch is then never evaluated (see src/bundle/undici.js).
  return github.getOctokit(token, { baseUrl: ctx.apiUrl, request: { fetch: httpFetch() } });
}
