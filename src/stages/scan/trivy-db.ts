// The vulnerability DB: kept while fresh, restored from the Actions cache, else downloaded from
// the first repository that answers in time; saved to the Actions cache once a day.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as path from 'path';
import { InputError, errorMessage } from '../../lib/errors';
import { run, tail } from '../../lib/exec';
import { DB_CACHE_PREFIX, dbCacheKey, dbIsFresh, type DbMetadata } from './db-freshness';
import type { Trivy } from './trivy-binary';
import { dbDownloadArgs } from './trivy-args';

// @actions/cache loads slowly: only runs that restore or save a cache pay for it.
const loadCache = () => import('../../bundle/actions-cache');

/** The Actions cache, when the runner provides the service (its URL is in the environment). */
async function cacheService(): Promise<typeof import('../../bundle/actions-cache') | undefined> {
  if (!process.env.ACTIONS_CACHE_URL && !process.env.ACTIONS_RESULTS_URL) return undefined;
  const cache = await loadCache();
  return cache.isFeatureAvailable() ? cache : undefined;
}

function readDbMetadata(dbDir: string): DbMetadata | undefined {
  if (!fs.existsSync(path.join(dbDir, 'trivy.db'))) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dbDir, 'metadata.json'), 'utf8')) as DbMetadata;
  } catch {
    return undefined;
  }
}

export interface DbState {
  /** The repository the DB was downloaded from in this run ('' = none was needed). */
  repository: string;
  /** The cache key restored exactly (then there is nothing new to save). */
  restoredKey?: string;
  cacheKey?: string;
}

function dbCachePaths(cacheDir: string): string[] {
  return [path.join(cacheDir, 'db'), path.join(cacheDir, 'java-db')];
}

/** The last line Trivy logged at FATAL/ERROR level: the reason a download failed. */
function failureReason(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  const fatal = [...lines].reverse().find((l) => /\b(FATAL|ERROR)\b/.test(l));
  return (fatal ?? tail(stderr, 1)).replace(/^\S+\s+(FATAL|ERROR)\s+/, '').trim();
}

/**
 * Make the vulnerability DB in `cacheDir` usable without a download during the scan: keep
 * a fresh one, else restore today's (or the latest) cache entry, else download it from the
 * first repository that answers.
 */
export interface DbSources {
  cacheDir: string;
  repositories: string[];
  /** How long one repository may take before the next is tried. */
  timeoutSeconds: number;
  /** The peer's `cache: false` turns the Actions cache off. */
  useActionsCache: boolean;
  /** Trivy's environment (TRIVY_* variables set aside). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A repository that accepts connections and never answers must not hang the job. */
const KILL_GRACE_MS = 3000;

export async function prepareVulnerabilityDb(trivy: Trivy, sources: DbSources): Promise<DbState> {
  const { cacheDir, repositories } = sources;
  const dbDir = path.join(cacheDir, 'db');
  const now = new Date();
  if (dbIsFresh(readDbMetadata(dbDir), now)) {
    core.info(`Vulnerability DB in ${dbDir} is up to date; nothing to download`);
    return { repository: '' };
  }
  const state: DbState = { repository: '' };
  const cache = sources.useActionsCache ? await cacheService() : undefined;
  if (cache) {
    state.cacheKey = dbCacheKey(now, `${process.platform}-${process.arch}`);
    try {
      state.restoredKey = await cache.restoreCache(dbCachePaths(cacheDir), state.cacheKey, [
        `${DB_CACHE_PREFIX}${process.platform}-${process.arch}-`,
      ]);
      core.info(
        state.restoredKey
          ? `Restored the vulnerability DB from cache ${state.restoredKey}`
          : `No cached vulnerability DB yet (key ${state.cacheKey})`,
      );
    } catch (err) {
      core.warning(`Restoring the vulnerability DB cache failed: ${errorMessage(err)}`);
    }
    if (dbIsFresh(readDbMetadata(dbDir), now)) return state;
  }
  const failures: string[] = [];
  for (const repository of repositories) {
    core.info(`Downloading the vulnerability DB from ${repository}`);
    const result = await run(trivy.path, dbDownloadArgs(repository, cacheDir), {
      allowFailure: true,
      stream: true,
      env: sources.env,
      cwd: sources.cwd,
      timeoutMs: sources.timeoutSeconds * 1000,
      killGraceMs: KILL_GRACE_MS,
    });
    if (result.exitCode === 0 && !result.timedOut) {
      state.repository = repository;
      return state;
    }
    failures.push(
      result.timedOut
        ? `${repository}: no answer within ${sources.timeoutSeconds} s (trivy-db-timeout)`
        : `${repository}: ${failureReason(result.stderr || result.stdout)}`,
    );
    core.warning(
      result.timedOut
        ? `Vulnerability DB download from ${repository} got no answer within ` +
            `${sources.timeoutSeconds} s (trivy-db-timeout); stopped it, trying the next repository`
        : `Vulnerability DB download from ${repository} failed; trying the next repository`,
    );
  }
  throw new InputError(
    'trivy-db-repository',
    `the vulnerability DB could not be downloaded from any repository:\n  - ${failures.join('\n  - ')}`,
  );
}

/** Save the DB (and a Java DB Trivy fetched) under today's key unless it came from there. */
export async function saveVulnerabilityDb(
  state: DbState,
  sources: Pick<DbSources, 'cacheDir' | 'useActionsCache'>,
): Promise<void> {
  const { cacheDir } = sources;
  const cache = sources.useActionsCache ? await cacheService() : undefined;
  if (!cache || !state.cacheKey || state.restoredKey === state.cacheKey) return;
  if (!fs.existsSync(path.join(cacheDir, 'db'))) return;
  try {
    // The same path list as the restore: the cache service matches entries by a hash of it.
    // A Java DB Trivy did not need is simply absent from the archive.
    await cache.saveCache(dbCachePaths(cacheDir), state.cacheKey);
    core.info(`Saved the vulnerability DB to cache ${state.cacheKey}`);
  } catch (err) {
    // Another job of the same day may have saved it first; the DB itself is fine.
    core.warning(`Saving the vulnerability DB cache failed: ${errorMessage(err)}`);
  }
}
