// format: github — Trivy's dependency snapshot, submitted to the repository's dependency graph
// (what trivy-action does with `github-pat`), so Dependabot alerts cover the image's packages.
import * as fs from 'fs';
import type { Context } from '../../context';
import { githubClient } from '../../lib/github';

export async function submitDependencySnapshot(
  file: string,
  token: string,
  ctx: Context,
): Promise<{ id?: number; message?: string }> {
  const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { data } = await githubClient(token, ctx).request(
    'POST /repos/{owner}/{repo}/dependency-graph/snapshots',
    // The snapshot's own fields are the request body (version, detector, job, sha, ref, ...).
    { ...ctx.repository, ...snapshot } as never,
  );
  return data as { id?: number; message?: string };
}
