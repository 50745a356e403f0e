// When the local vulnerability DB can be used as it is (Trivy's own rule, read from the DB's
// metadata.json), and the cache key that saves it once per day.
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);

/** The DB schema Trivy v0.68 reads. */
export const DB_SCHEMA_VERSION = 2;

/** metadata.json next to trivy.db (fields as trivy-db writes them). */
export interface DbMetadata {
  Version?: number;
  NextUpdate?: string;
  UpdatedAt?: string;
  DownloadedAt?: string;
}

/**
 * Trivy skips the download while the DB's NextUpdate lies ahead or it was downloaded within
 * the last hour; a DB of another schema is always replaced.
 */
export function dbIsFresh(meta: DbMetadata | undefined, now: Date): boolean {
  if (!meta || meta.Version !== DB_SCHEMA_VERSION) return false;
  const nextUpdate = meta.NextUpdate ? Date.parse(meta.NextUpdate) : NaN;
  if (!Number.isNaN(nextUpdate) && now.getTime() < nextUpdate) return true;
  const downloadedAt = meta.DownloadedAt ? Date.parse(meta.DownloadedAt) : NaN;
  return !Number.isNaN(downloadedAt) && now.getTime() < downloadedAt + 60 * 60 * 1000;
}

export const DB_CACHE_PREFIX = 'gantry-trivy-db-';

/** One key per day and platform: the first job of the day saves, the rest restore. */
export function dbCacheKey(now: Date, platform: string): string {
  return `${DB_CACHE_PREFIX}${platform}-${dayjs(now).utc().format('YYYY-MM-DD')}`;
}
