/**
 * The local stack's PostgreSQL: an embedded PostgreSQL 17 (default, nothing to
 * install) or any external PostgreSQL >= 15 given by URL. Either way it must
 * run with wal_level=logical, because realtime streams changes by logical
 * replication.
 */
import pg from 'pg';
import { z } from 'zod';
import { EmbeddedServer } from './embedded-server.ts';

export interface Database {
  /** Superuser connection string (embedded: postgres://postgres:…@127.0.0.1:PORT/postgres). */
  readonly url: string;
  readonly port: number;
  /** True when an external PostgreSQL URL was given. */
  readonly external: boolean;
  /** Superuser pool (small). Idle connections broken by a restart are dropped, not thrown. */
  readonly pool: pg.Pool;
  /** Embedded only: stop and start the same data directory (the "database restart" fault). */
  restart(): Promise<void>;
  /** Idempotent. Embedded: stops the server and removes an ephemeral data directory. */
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** Any PostgreSQL >= 15 with wal_level=logical. */
  externalUrl?: string;
  /** Persistent data directory (demo); absent = ephemeral temp directory removed on stop. */
  dataDir?: string;
  /** Default: a free port. */
  port?: number;
  onLog?: (line: string) => void;
}

const POOL_SIZE = 8;
const MIN_SERVER_VERSION = 150000;

const postgresUrlSchema = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'expected a postgres:// or postgresql:// URL');

const optionsSchema = z.object({
  externalUrl: postgresUrlSchema.optional(),
  dataDir: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function createPool(connectionString: string, onLog: (line: string) => void): pg.Pool {
  // platform.sql sets this search_path as the database default, but only for sessions opened after it
  // ran; pool connections may predate it and must still resolve pgcrypto's crypt()/gen_salt().
  const pool = new pg.Pool({ connectionString, max: POOL_SIZE, options: '-c search_path="$user",public,extensions' });
  // An idle client whose server went away (restart, fault injection) emits here; the pool drops it.
  pool.on('error', (error) => onLog(`pool: idle connection lost: ${error.message}`));
  return pool;
}

/**
 * pool.end() resolves once the pool has let go of its clients, before their
 * sockets are closed; wait for those too, so stopping the server right after
 * does not terminate connections that are still saying goodbye.
 */
async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      removed += 1;
      if (removed >= open) resolve();
    });
  });
  await pool.end();
  await Promise.race([allClosed, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
}

function onceOnly(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}

async function checkExternal(pool: pg.Pool, url: string): Promise<void> {
  let rows: unknown[];
  try {
    ({ rows } = await pool.query("select current_setting('wal_level') as wal_level, current_setting('server_version_num') as version"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to PostgreSQL at ${redact(url)}: ${reason}`, { cause: error });
  }
  const row = z.object({ wal_level: z.string(), version: z.coerce.number().int() }).parse(rows[0]);
  if (row.version < MIN_SERVER_VERSION) {
    throw new Error(`PostgreSQL at ${redact(url)} is version ${row.version}; Beacon's local stack needs PostgreSQL 15 or newer.`);
  }
  if (row.wal_level !== 'logical') {
    throw new Error(
      `PostgreSQL at ${redact(url)} runs with wal_level=${row.wal_level}, but realtime needs wal_level=logical. ` +
        'Fix: as a superuser run "ALTER SYSTEM SET wal_level = logical;" (or set wal_level = logical in postgresql.conf), ' +
        'keep max_replication_slots and max_wal_senders at 10 or more, then restart PostgreSQL.',
    );
  }
}

async function startExternal(url: string, onLog: (line: string) => void): Promise<Database> {
  const pool = createPool(url, onLog);
  try {
    await checkExternal(pool, url);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const parsed = new URL(url);
  return {
    url,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    external: true,
    pool,
    restart: () => Promise.reject(new Error('restart() is only available for the embedded database, not an external one')),
    stop: onceOnly(() => endPool(pool)),
  };
}

async function startEmbedded(options: StartDatabaseOptions, onLog: (line: string) => void): Promise<Database> {
  const server = await EmbeddedServer.start({
    onLog,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const url = server.connectionString();
  const pool = createPool(url, onLog);
  return {
    url,
    port: server.port,
    external: false,
    pool,
    restart: () => server.restart(),
    stop: onceOnly(async () => {
      try {
        await endPool(pool);
      } finally {
        await server.stop();
      }
    }),
  };
}

export function startDatabase(options: StartDatabaseOptions = {}): Promise<Database> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) return Promise.reject(new Error(`invalid database options: ${z.prettifyError(parsed.error)}`));
  const onLog = options.onLog ?? (() => {});
  return options.externalUrl !== undefined ? startExternal(options.externalUrl, onLog) : startEmbedded(options, onLog);
}
