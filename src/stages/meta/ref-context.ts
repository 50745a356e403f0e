// `ref-source: workflow`: which ref and commit the event is about, as docker/metadata-action
// reads them. Pure: the caller supplies the runner's Context.
import type { Context } from '../../context';

export interface WorkflowRef {
  ref: string;
  sha: string;
}

export function workflowRef(ctx: Context, prHeadSha: boolean): WorkflowRef {
  let { ref, sha } = ctx;
  const payload = ctx.payload as { number?: number; pull_request?: { head?: { sha?: string } } };
  // pull_request_target runs on the base branch's ref; tags should still name the PR.
  if (ctx.eventName === 'pull_request_target' && payload.number !== undefined) {
    ref = `refs/pull/${payload.number}/merge`;
  }
  // The merge commit exists only on GitHub; the PR head is the commit people know.
  if (prHeadSha && ctx.eventName.startsWith('pull_request') && payload.pull_request?.head?.sha) {
    sha = payload.pull_request.head.sha;
  }
  return { ref, sha };
}

/** The commit's date when the event carries it (push events), else undefined. */
export function commitDateFromPayload(
  payload: Record<string, unknown>,
  sha: string,
): Date | undefined {
  const event = payload as {
    commits?: { id?: string; timestamp?: string }[];
    head_commit?: { id?: string; timestamp?: string } | null;
  };
  const commit =
    event.commits?.find((c) => c.id === sha) ??
    (event.head_commit?.id === sha ? event.head_commit : undefined);
  return commit?.timestamp ? new Date(commit.timestamp) : undefined;
}
