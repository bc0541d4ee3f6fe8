/**
 * Brings a database to the state a Supabase project has: the platform SQL
 * (roles, auth schema; local only), every migration in name order, and the seed
 * when the database has no users yet. Safe to run again on a prepared database:
 * the platform SQL and the migrations are idempotent.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Database } from './database.ts';

const supabaseDir = fileURLToPath(new URL('../../', import.meta.url));

const sqlPaths = {
  platform: path.join(supabaseDir, 'local', 'platform.sql'),
  migrations: path.join(supabaseDir, 'migrations'),
  seed: path.join(supabaseDir, 'seed.sql'),
} as const;

/** Serialises concurrent preparers of the same database (any constant key works). */
const PREPARE_LOCK_KEY = 0x6265_6163; // "beac"

/** Migration files, full paths, in the order the Supabase CLI applies them (by name). */
export async function migrationFiles(): Promise<string[]> {
  const names = (await fsp.readdir(sqlPaths.migrations)).filter((name) => name.endsWith('.sql')).sort();
  return names.map((name) => path.join(sqlPaths.migrations, name));
}

/** Runs one SQL file in its own transaction; a failure names the file and rolls it back. */
export async function applySqlFile(client: pg.ClientBase, file: string): Promise<void> {
  const sql = await fsp.readFile(file, 'utf8');
  await client.query('begin');
  try {
    await client.query(sql);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${path.relative(supabaseDir, file)} failed: ${message}`, { cause: error });
  }
}

export function applyPlatform(client: pg.ClientBase): Promise<void> {
  return applySqlFile(client, sqlPaths.platform);
}

export async function applyMigrations(client: pg.ClientBase): Promise<void> {
  for (const file of await migrationFiles()) await applySqlFile(client, file);
}

export function applySeed(client: pg.ClientBase): Promise<void> {
  return applySqlFile(client, sqlPaths.seed);
}

async function hasUsers(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>('select exists (select 1 from auth.users) as present');
  return rows[0]?.present === true;
}

export async function prepareDatabase(db: Database, options: { seed?: boolean } = {}): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [PREPARE_LOCK_KEY]);
    try {
      await applyPlatform(client);
      await applyMigrations(client);
      if ((options.seed ?? true) && !(await hasUsers(client))) await applySeed(client);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [PREPARE_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
