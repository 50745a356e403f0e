// Builds a runner Context from a recorded event in test/fixtures/events, and computes the meta
// stage's result for it the way the stage does, with the event payload's repository standing in
// for the GitHub API.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadContext, type Context } from '../../src/context';
import { mapInputs } from '../../src/inputs';
import { parseMetaInputs, type MetaInputs } from '../../src/stages/meta/inputs';
import { computeMetadata, metaFacts, type Metadata } from '../../src/stages/meta/metadata';
import type { RepositoryInfo } from '../../src/stages/meta/model';
import { commitDateFromPayload, workflowRef } from '../../src/stages/meta/ref-context';
import { repositoryInfo } from '../../src/stages/meta/repository';

export const EVENTS_DIR = path.join(__dirname, '..', '..', 'test', 'fixtures', 'events');

export const EVENT_NAMES = [
  'push-branch-main',
  'push-branch-feature',
  'push-tag',
  'push-tag-prerelease',
  'pull_request',
  'pull_request_target',
  'schedule',
  'release',
  'workflow_dispatch',
] as const;
export type EventFixtureName = (typeof EVENT_NAMES)[number];

interface EventFixture {
  eventName: string;
  env: Record<string, string>;
  payload: Record<string, unknown>;
}

export function readFixture(name: string): EventFixture {
  return JSON.parse(fs.readFileSync(path.join(EVENTS_DIR, `${name}.json`), 'utf8')) as EventFixture;
}

/** The Context the action would load on a runner for this event (payload via GITHUB_EVENT_PATH). */
export function fixtureContext(name: string, env: Record<string, string> = {}): Context {
  const fixture = readFixture(name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-event-'));
  const eventPath = path.join(dir, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(fixture.payload));
  try {
    return loadContext({
      GITHUB_EVENT_NAME: fixture.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      ...fixture.env,
      ...env,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface MetaCase {
  inputs?: Record<string, string>;
  /** Environment the stage reads (SOURCE_DATE_EPOCH, DOCKER_METADATA_*). */
  env?: Record<string, string>;
  /** What GET /repos/{owner}/{repo} would say; defaults to the payload's repository. */
  repository?: Partial<RepositoryInfo>;
  /** What the commits API would say when the payload has no date for the commit. */
  apiCommitDate?: Date;
}

export const FIXED_EPOCH = '1763630400'; // 2025-11-20T09:20:00Z

export function parseFor(name: string, c: MetaCase = {}): { inputs: MetaInputs; ctx: Context } {
  const ctx = fixtureContext(name);
  const env = { SOURCE_DATE_EPOCH: FIXED_EPOCH, ...c.env };
  const inputs = parseMetaInputs(mapInputs({ images: 'ghcr.io/acme/app', ...c.inputs }), ctx, env);
  return { inputs, ctx };
}

/** The meta stage's result for an event, with the world (git, API) replaced by fixture data. */
export function metaFor(name: EventFixtureName, c: MetaCase = {}): Metadata {
  const { inputs, ctx } = parseFor(name, c);
  const { ref, sha } = workflowRef(ctx, inputs.prHeadSha);
  const repository = {
    ...repositoryInfo((ctx.payload.repository ?? {}) as object, ctx.repository.repo),
    ...c.repository,
  };
  const commitDate = inputs.needsCommitDate
    ? (commitDateFromPayload(ctx.payload, sha) ?? c.apiCommitDate)
    : undefined;
  return computeMetadata(inputs, metaFacts(ctx, { ref, sha, commitDate }, repository));
}

/** Just the tags (full references) for an event and inputs. */
export function tagsFor(name: EventFixtureName, c: MetaCase = {}): string[] {
  return metaFor(name, c).result.tags;
}
