// After a push that failed part way: which of the run's tags point at the new image and which
// do not, so that a retry or a person can tell (BuildKit pushes one tag after another, so a
// connection reset on the second leaves the first moved and the rest where they were). Pure.

/** The digest BuildKit pushed under the tags (`pushing manifest for <ref>@sha256:...`). */
export function pushedDigestFromLog(log: string): string | undefined {
  const pushed = /pushing manifest for \S+@(sha256:[a-f0-9]{64})/.exec(log);
  if (pushed) return pushed[1];
  const list = /exporting manifest list (sha256:[a-f0-9]{64})/.exec(log);
  if (list) return list[1];
  return /exporting manifest (sha256:[a-f0-9]{64})/.exec(log)?.[1];
}

/** What the registry serves for one tag: a digest, `missing`, or why it could not be read. */
export type TagState = { digest: string } | { missing: true } | { unknown: string };

export interface TagReport {
  /** Tags that point at the new digest. */
  moved: string[];
  /** Tags that do not, with what they point at instead. */
  notMoved: Array<{ tag: string; now: string }>;
}

export function tagReport(newDigest: string, states: Record<string, TagState>): TagReport {
  const moved: string[] = [];
  const notMoved: TagReport['notMoved'] = [];
  for (const [tag, state] of Object.entries(states)) {
    if ('digest' in state && state.digest === newDigest) moved.push(tag);
    else if ('digest' in state) notMoved.push({ tag, now: `still ${state.digest}` });
    else if ('missing' in state) notMoved.push({ tag, now: 'not in the registry' });
    else notMoved.push({ tag, now: `could not be read: ${state.unknown}` });
  }
  return { moved, notMoved };
}

/** The paragraph a failed push ends with. */
export function describeTags(newDigest: string | undefined, report: TagReport): string {
  if (!newDigest) {
    return (
      'The push failed before BuildKit named the new image, so no tag of this run was moved: ' +
      [...report.moved, ...report.notMoved.map((entry) => entry.tag)].join(', ')
    );
  }
  const lines = [`Tags after the failed push (the new image is ${newDigest}):`];
  for (const tag of report.moved) lines.push(`  moved:     ${tag}`);
  for (const entry of report.notMoved) lines.push(`  NOT moved: ${entry.tag} (${entry.now})`);
  if (report.notMoved.length === 0) {
    lines.push('Every tag points at the new image; what failed came after the tags were pushed.');
  } else if (report.moved.length > 0) {
    lines.push(
      `Only ${report.moved.length} of ${report.moved.length + report.notMoved.length} tags moved: ` +
        'run the job again (the build is cached) to move the rest.',
    );
  }
  return lines.join('\n');
}
