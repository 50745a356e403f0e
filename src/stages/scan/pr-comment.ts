// The one PR comment per job: found again by its hidden marker among the pull request's
// comments and edited in place, so re-runs never pile up duplicates.
import type { GitHubClient } from '../../lib/github';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
}

/** The first comment carrying the marker (the one earlier runs created). */
export function findMarkedComment<T extends { body?: string | null }>(
  comments: T[],
  marker: string,
): T | undefined {
  return comments.find((comment) => (comment.body ?? '').includes(marker));
}

export async function upsertComment(
  client: GitHubClient,
  target: CommentTarget,
  marker: string,
  body: string,
): Promise<{ url: string; updated: boolean }> {
  const { owner, repo, issueNumber } = target;
  const comments = (await client.paginate(client.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  })) as IssueComment[];
  const existing = findMarkedComment(comments, marker);
  if (existing) {
    const { data } = await client.rest.issues.updateComment({
      owner,
      repo,
      comment_id: existing.id,
      body,
    });
    return { url: data.html_url, updated: true };
  }
  const { data } = await client.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  return { url: data.html_url, updated: false };
}
