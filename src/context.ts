// Where this run stands: event, ref, commit, pull request, repository and default branch,
// read once from the runner's environment and event payload into one typed Context.
import * as fs from 'fs';

/* eslint-disable @typescript-eslint/no-explicit-any -- event payloads are open-ended JSON */
export type EventPayload = Record<string, any>;

export interface Repository {
  owner: string;
  repo: string;
}

export interface Context {
  eventName: string;
  /** Full ref, e.g. refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge. */
  ref: string;
  sha: string;
  /** Pull request source and target branches (pull_request events only). */
  headRef: string;
  baseRef: string;
  repository: Repository;
  /** From the event payload when it carries the repository (most events do). */
  defaultBranch: string | undefined;
  payload: EventPayload;
  runId: number;
  runNumber: number;
  runAttempt: number;
  workflow: string;
  job: string;
  actor: string;
  serverUrl: string;
  apiUrl: string;
  graphqlUrl: string;
  /** The pull request number when the event is about one. */
  pullRequestNumber: number | undefined;
  workspace: string;
}

function readPayload(eventPath: string | undefined): EventPayload {
  if (!eventPath || !fs.existsSync(eventPath)) return {};
  return JSON.parse(fs.readFileSync(eventPath, 'utf8')) as EventPayload;
}

function splitRepository(value: string | undefined, payload: EventPayload): Repository {
  if (value && value.includes('/')) {
    const [owner, repo] = value.split('/', 2);
    return { owner, repo };
  }
  const full = payload.repository?.full_name as string | undefined;
  if (full && full.includes('/')) {
    const [owner, repo] = full.split('/', 2);
    return { owner, repo };
  }
  return { owner: '', repo: '' };
}

export function loadContext(env: NodeJS.ProcessEnv = process.env): Context {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const number =
    (payload.pull_request?.number as number | undefined) ??
    (payload.issue?.pull_request ? (payload.issue.number as number) : undefined);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    headRef: env.GITHUB_HEAD_REF ?? '',
    baseRef: env.GITHUB_BASE_REF ?? '',
    repository: splitRepository(env.GITHUB_REPOSITORY, payload),
    defaultBranch: payload.repository?.default_branch as string | undefined,
    payload,
    runId: Number(env.GITHUB_RUN_ID ?? 0),
    runNumber: Number(env.GITHUB_RUN_NUMBER ?? 0),
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? 1),
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    graphqlUrl: env.GITHUB_GRAPHQL_URL ?? 'https://api.github.com/graphql',
    pullRequestNumber: number,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}

/** The web address of this workflow run, for annotations and comments. */
export function runUrl(ctx: Context): string {
  const { owner, repo } = ctx.repository;
  return `${ctx.serverUrl}/${owner}/${repo}/actions/runs/${ctx.runId}`;
}
