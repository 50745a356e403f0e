// After a push that failed part way, the error lists which tags point at the new image.
import { describeTags, pushedDigestFromLog, tagReport } from '../../src/stages/build/partial-push';

const NEW = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;
const MANIFEST = `sha256:${'c'.repeat(64)}`;

describe('pushedDigestFromLog', () => {
  it.each([
    [
      'the digest BuildKit pushed under a tag',
      `#12 exporting manifest ${MANIFEST} done\n#12 exporting manifest list ${NEW} done\n#12 pushing manifest for 127.0.0.1:5000/app:1@${NEW} 0.0s done`,
      NEW,
    ],
    [
      'the manifest list before any push',
      `#12 exporting manifest ${MANIFEST} done\n#12 exporting manifest list ${NEW} done`,
      NEW,
    ],
    ['a single manifest', `#12 exporting manifest ${MANIFEST} done`, MANIFEST],
    [
      'a build that failed before exporting',
      '#8 ERROR: process "/bin/sh -c false" did not complete',
      undefined,
    ],
  ])('%s', (_what, log, digest) => expect(pushedDigestFromLog(log)).toBe(digest));
});

describe('describeTags', () => {
  it('names the tags that moved and the ones that did not', () => {
    const report = tagReport(NEW, {
      'r/app:1.2.3': { digest: NEW },
      'r/app:1.2': { digest: OLD },
      'r/app:latest': { missing: true },
    });
    expect(report).toEqual({
      moved: ['r/app:1.2.3'],
      notMoved: [
        { tag: 'r/app:1.2', now: `still ${OLD}` },
        { tag: 'r/app:latest', now: 'not in the registry' },
      ],
    });
    expect(describeTags(NEW, report)).toBe(
      [
        `Tags after the failed push (the new image is ${NEW}):`,
        '  moved:     r/app:1.2.3',
        `  NOT moved: r/app:1.2 (still ${OLD})`,
        '  NOT moved: r/app:latest (not in the registry)',
        'Only 1 of 3 tags moved: run the job again (the build is cached) to move the rest.',
      ].join('\n'),
    );
  });

  it('says so when every tag moved', () => {
    const text = describeTags(NEW, tagReport(NEW, { 'r/app:1': { digest: NEW } }));
    expect(text).toContain('Every tag points at the new image');
  });

  it('says when a tag could not be read', () => {
    const text = describeTags(
      NEW,
      tagReport(NEW, { 'r/app:1': { unknown: 'connection refused' } }),
    );
    expect(text).toContain('NOT moved: r/app:1 (could not be read: connection refused)');
  });
});
