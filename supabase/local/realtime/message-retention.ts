/**
 * Realtime keeps `realtime.messages` for 72 hours (it drops older daily
 * partitions). Locally there is one default partition, so older rows are
 * deleted instead: at start and then every hour.
 */
import type pg from 'pg';
import type { StackLog } from '../context.ts';

export const RETENTION_HOURS = 72;
const PRUNE_INTERVAL_MS = 60 * 60_000;

/** Deletes messages inserted more than 72 hours ago; returns how many. */
export async function pruneMessages(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `delete from realtime.messages where inserted_at < (now() at time zone 'utc') - make_interval(hours => $1)`,
    [RETENTION_HOURS],
  );
  return rowCount ?? 0;
}

/** Prunes now and hourly; call the returned function to stop. */
export function startMessageRetention(pool: pg.Pool, log: StackLog): () => void {
  const prune = () =>
    void pruneMessages(pool).catch((error: unknown) => log('warn', 'realtime: pruning old realtime.messages failed', { error: String(error) }));
  prune();
  const timer = setInterval(prune, PRUNE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
