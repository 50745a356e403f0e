// The update-in-place logic against the local GitHub API stand-in: real HTTP, real Octokit.
import { GitHubApiStub } from '../../test/harness/github-api';
import type { Context } from '../../src/context';
import { githubClient } from '../../src/lib/github';
import { findMarkedComment, upsertComment } from '../../src/stages/scan/pr-comment';

interface Comment {
  id: number;
  body: string;
  html_url: string;
}

const MARKER = '<!-- gantry-scan: ci/ship -->';
const TARGET = { owner: 'acme', repo: 'app', issueNumber: 7 };

/** Issue comments kept in memory, served with GitHub's pagination Link headers. */
function serveComments(api: GitHubApiStub, comments: Comment[]): void {
  let next = 1000;
  const url = (id: number) => `https://github.com/acme/app/pull/7#issuecomment-${id}`;
  api.route('GET', '/repos/:owner/:repo/issues/:n/comments', (req) => {
    const perPage = Number(req.query.get('per_page') ?? 30);
    const page = Number(req.query.get('page') ?? 1);
    const slice = comments.slice((page - 1) * perPage, page * perPage);
    const last = Math.ceil(comments.length / perPage);
    const headers: Record<string, string> = {};
    if (page < last) {
      headers.link = `<${api.url}${req.path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
    }
    return { body: slice, headers };
  });
  api.route('POST', '/repos/:owner/:repo/issues/:n/comments', (req) => {
    const comment = { id: next++, body: req.body.body as string, html_url: url(next) };
    comments.push(comment);
    return { status: 201, body: comment };
  });
  api.route('PATCH', '/repos/:owner/:repo/issues/comments/:id', (req) => {
    const comment = comments.find((c) => c.id === Number(req.params.id));
    if (!comment) return { status: 404, body: { message: 'Not Found' } };
    comment.body = req.body.body as string;
    return { body: comment };
  });
}

function others(count: number): Comment[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    body: `LGTM ${i}`,
    html_url: `https://github.com/acme/app/pull/7#issuecomment-${i + 1}`,
  }));
}

describe('the PR comment, updated in place', () => {
  let api: GitHubApiStub;
  beforeEach(async () => {
    api = await GitHubApiStub.start();
  });
  afterEach(async () => {
    await api.stop();
  });
  const client = () => githubClient('ghs_test', { apiUrl: api.url } as Context);

  it('creates the comment once, then edits it on the next run', async () => {
    const comments = others(2);
    serveComments(api, comments);
    const first = await upsertComment(client(), TARGET, MARKER, `${MARKER}\nrun 1`);
    expect(first.updated).toBe(false);
    const second = await upsertComment(client(), TARGET, MARKER, `${MARKER}\nrun 2`);
    expect(second.updated).toBe(true);
    expect(second.url).toBe(first.url);
    expect(comments.filter((c) => c.body.includes(MARKER))).toEqual([
      expect.objectContaining({ body: `${MARKER}\nrun 2` }),
    ]);
    expect(api.calls('POST', '/repos/:o/:r/issues/:n/comments')).toHaveLength(1);
    expect(api.calls('PATCH', '/repos/:o/:r/issues/comments/:id')).toHaveLength(1);
    expect(api.requests[0].headers.authorization).toBe('token ghs_test');
  });

  it('finds its comment past the first page of a long conversation', async () => {
    const comments = [
      ...others(150),
      { id: 500, body: `${MARKER}\nold`, html_url: 'u500' },
      ...others(30),
    ];
    serveComments(api, comments);
    const result = await upsertComment(client(), TARGET, MARKER, `${MARKER}\nnew`);
    expect(result.updated).toBe(true);
    expect(comments.find((c) => c.id === 500)?.body).toBe(`${MARKER}\nnew`);
    expect(api.calls('GET', '/repos/:o/:r/issues/:n/comments').length).toBeGreaterThan(1);
    expect(api.calls('POST', '/repos/:o/:r/issues/:n/comments')).toHaveLength(0);
  });

  it('leaves other jobs’ scan comments alone', async () => {
    const comments = [{ id: 9, body: '<!-- gantry-scan: ci/other -->\nx', html_url: 'u9' }];
    serveComments(api, comments);
    const result = await upsertComment(client(), TARGET, MARKER, `${MARKER}\nmine`);
    expect(result.updated).toBe(false);
    expect(comments[0].body).toBe('<!-- gantry-scan: ci/other -->\nx');
    expect(comments).toHaveLength(2);
  });

  it('matches the marker anywhere in the body, first comment first', () => {
    const found = findMarkedComment(
      [{ body: null }, { body: `intro\n${MARKER}`, id: 1 }, { body: MARKER, id: 2 }],
      MARKER,
    );
    expect(found).toEqual({ body: `intro\n${MARKER}`, id: 1 });
  });
});
