// `ref-source: git`: the ref, commit and commit date of the local checkout, read with git
// (the one place the meta stage runs a process).
import { run } from '../../lib/exec';

export interface GitCheckout {
  ref: string;
  sha: string;
  commitDate: Date;
}

export async function readGitCheckout(cwd: string): Promise<GitCheckout> {
  const git = async (...args: string[]) => (await run('git', args, { cwd })).stdout.trim();
  const sha = await git('rev-parse', 'HEAD');
  const commitDate = new Date(await git('show', '-s', '--format=%cI', 'HEAD'));
  return { ref: await currentRef(cwd, sha), sha, commitDate };
}

/** The branch checked out, else (detached HEAD, as actions/checkout leaves tags) a tag at HEAD. */
async function currentRef(cwd: string, sha: string): Promise<string> {
  const branch = await run('git', ['symbolic-ref', '-q', 'HEAD'], { cwd, allowFailure: true });
  if (branch.exitCode === 0 && branch.stdout.trim() !== '') return branch.stdout.trim();
  const tags = await run('git', ['tag', '--points-at', 'HEAD', '--sort=-creatordate'], { cwd });
  const tag = tags.stdout.split('\n').find((line) => line.trim() !== '');
  if (tag) return `refs/tags/${tag.trim()}`;
  // A detached checkout of a pull request (refs/pull/N/merge) or remote branch.
  const names = await run('git', ['show', '-s', '--pretty=%D', 'HEAD'], { cwd });
  const pull = /(?:^|, )(?:[^/ ]+\/)?(pull\/\d+\/(?:head|merge))(?:,|$)/.exec(names.stdout.trim());
  if (pull) return `refs/${pull[1]}`;
  const remote = /(?:^|, )[^/ ]+\/([^, ]+)(?:,|$)/.exec(names.stdout.trim());
  if (remote && remote[1] !== 'HEAD') return `refs/heads/${remote[1]}`;
  throw new Error(
    `ref-source git: HEAD (${sha}) is detached and no branch or tag points at it; ` +
      'check out a branch or tag, or use ref-source: workflow',
  );
}
