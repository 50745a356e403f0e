// The GitHub API calls the meta stage makes: the repository (for the OCI labels and default
// branch) and, only when a template needs it and the event does not carry it, a commit date.
import * as core from '@actions/core';
import type { Context } from '../../context';
import { errorMessage } from '../../lib/errors';
import { githubClient, type GitHubClient } from '../../lib/github';
import type { RepositoryInfo } from './model';

interface RepositoryFields {
  name?: string;
  description?: string | null;
  html_url?: string;
  default_branch?: string;
  license?: { spdx_id?: string | null } | null;
}

export function repositoryInfo(fields: RepositoryFields, fallbackName: string): RepositoryInfo {
  return {
    name: fields.name ?? fallbackName,
    description: fields.description ?? '',
    htmlUrl: fields.html_url ?? '',
    license: fields.license?.spdx_id ?? '',
    defaultBranch: fields.default_branch,
  };
}

export class RepositoryApi {
  private client: GitHubClient | undefined;

  constructor(
    private readonly token: string,
    private readonly ctx: Context,
  ) {}

  /** GET /repos/{owner}/{repo}; on failure a warning and the event payload's copy. */
  async repository(): Promise<RepositoryInfo> {
    const { owner, repo } = this.ctx.repository;
    const fromPayload = repositoryInfo(
      (this.ctx.payload.repository ?? {}) as RepositoryFields,
      repo,
    );
    try {
      const { data } = await this.api().rest.repos.get({ owner, repo });
      return repositoryInfo(data, repo);
    } catch (err) {
      core.warning(
        `Cannot read repository ${owner}/${repo} from the GitHub API (${errorMessage(err)}); ` +
          'using the event payload for the OCI labels',
      );
      return fromPayload;
    }
  }

  /** The committer date of a commit; on failure a warning and `fallback`. */
  async commitDate(sha: string, fallback: Date): Promise<Date> {
    const { owner, repo } = this.ctx.repository;
    try {
      const { data } = await this.api().rest.repos.getCommit({ owner, repo, ref: sha });
      const date = data.commit.committer?.date;
      if (date) return new Date(date);
      throw new Error('the commit has no committer date');
    } catch (err) {
      core.warning(`Cannot read the date of commit ${sha} (${errorMessage(err)}); using now`);
      return fallback;
    }
  }

  private api(): GitHubClient {
    if (!this.token) throw new Error('github-token is empty');
    this.client ??= githubClient(this.token, this.ctx);
    return this.client;
  }
}
