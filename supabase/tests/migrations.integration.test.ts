/**
 * The migrations on real PostgreSQL: a fresh database, re-application, Beacon's
 * migration on a database where part of it already exists, the publication and
 * replica identities, and (where Debian's PostgreSQL 15 is installed) the same
 * migrations on PostgreSQL 15, the other major version hosted projects run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase, type Database } from '../local/db/database.ts';
import { EmbeddedServer } from '../local/db/embedded-server.ts';
import { applyMigrations, applyPlatform, applySeed, applySqlFile, migrationFiles, prepareDatabase } from '../local/db/prepare.ts';
import { asActor } from './helpers/as-actor.ts';
import { catalogFingerprint } from './helpers/catalog.ts';
import { freshDatabase } from './helpers/databases.ts';

const BEACON_TABLES = [
  'agent_tasks',
  'contacts',
  'conversation_contact_labels',
  'conversation_metadata',
  'conversation_notes',
  'user_profiles',
];

const PG15_BIN = '/usr/lib/postgresql/15/bin';
const hasPg15 = fs.existsSync(path.join(PG15_BIN, 'initdb')) && fs.existsSync(path.join(PG15_BIN, 'postgres'));

let db: Database;
let referenceSchema: string;
let beaconMigration: string;
/** Catalog fingerprint of a database that got platform SQL, all migrations and the seed once. */
let cleanFingerprint: string[];
const clients: pg.Client[] = [];

async function database(name: string): Promise<pg.Client> {
  const client = await freshDatabase(db, name);
  clients.push(client);
  return client;
}

async function publishedTables(client: pg.ClientBase | pg.Pool): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    "select schemaname || '.' || tablename as name from pg_publication_tables where pubname = 'supabase_realtime' order by 1",
  );
  return rows.map((row) => row.name);
}

beforeAll(async () => {
  db = await startDatabase();
  const files = await migrationFiles();
  // By file name only: the folder the repository is cloned into may itself be called "beacon".
  const named = (suffix: string) => files.find((file) => path.basename(file).endsWith(suffix));
  const reference = named('_crm_reference_schema.sql');
  const beacon = named('_beacon_realtime_and_snapshot.sql');
  if (!reference || !beacon) throw new Error(`unexpected migrations: ${files.map((file) => path.basename(file)).join(', ')}`);
  referenceSchema = reference;
  beaconMigration = beacon;

  const clean = await database('clean');
  await applyPlatform(clean);
  await applyMigrations(clean);
  await applySeed(clean);
  cleanFingerprint = await catalogFingerprint(clean);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end()));
  await db?.stop();
});

describe('migrations', () => {
  it('apply to an empty database in name order, with the seed', async () => {
    const clean = clients[0]!;
    expect(await publishedTables(clean)).toEqual(BEACON_TABLES.map((table) => `public.${table}`));
    const { rows } = await clean.query<{ users: number; contacts: number }>(
      'select (select count(*)::int from auth.users) as users, (select count(*)::int from public.contacts) as contacts',
    );
    expect(rows[0]).toEqual({ users: 2, contacts: 48 });
  });

  it('re-apply cleanly (platform SQL and both migrations) and end in the same catalog', async () => {
    const client = await database('reapplied');
    await applyPlatform(client);
    await applyMigrations(client);
    await applyPlatform(client);
    await applyMigrations(client);
    expect(await catalogFingerprint(client)).toEqual(cleanFingerprint);
  });

  it("prepareDatabase is safe on an already prepared database and seeds only once", async () => {
    await prepareDatabase(db);
    await prepareDatabase(db);
    const { rows } = await db.pool.query<{ users: number; tasks: number }>(
      'select (select count(*)::int from auth.users) as users, (select count(*)::int from public.agent_tasks) as tasks',
    );
    expect(rows[0]).toEqual({ users: 2, tasks: 60 });
  });
});

describe('reference schema', () => {
  it('maintains updated_at and the task lifecycle timestamps by trigger', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      const task = "'a3000000-0000-4000-8000-000000000001'"; // pending in the seed
      const read = async () =>
        (
          await client.query<{ started: boolean; completed: boolean; fresh: boolean }>(
            `select started_at is not null as started, completed_at is not null as completed, updated_at = now() as fresh
             from public.agent_tasks where id = ${task}`,
          )
        ).rows[0];
      expect(await read()).toEqual({ started: false, completed: false, fresh: false });
      await client.query(`update public.agent_tasks set status = 'in_progress' where id = ${task}`);
      expect(await read()).toEqual({ started: true, completed: false, fresh: true });
      await client.query(`update public.agent_tasks set status = 'completed' where id = ${task}`);
      expect(await read()).toEqual({ started: true, completed: true, fresh: true });
      await client.query(`update public.agent_tasks set status = 'pending' where id = ${task}`);
      expect(await read()).toEqual({ started: true, completed: false, fresh: true });
      const invalid = await client.query(`update public.agent_tasks set status = 'done' where id = ${task}`).catch((error: { code?: string }) => error.code);
      expect(invalid).toBe('23514');
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});

describe("Beacon's migration", () => {
  it('changes nothing when applied a second time', async () => {
    const client = await database('twice');
    await applyPlatform(client);
    await applySqlFile(client, referenceSchema);
    await applySqlFile(client, beaconMigration);
    const once = await catalogFingerprint(client);
    await applySqlFile(client, beaconMigration);
    expect(await catalogFingerprint(client)).toEqual(once);
    expect(once).toEqual(cleanFingerprint);
  });

  it('completes a database where part of it already exists', async () => {
    const client = await database('partial');
    await applyPlatform(client);
    await applySqlFile(client, referenceSchema);
    // What a DBA might already have done by hand, or an older Beacon release did.
    await client.query(`
      create publication supabase_realtime for table public.agent_tasks, public.contacts;
      alter table public.user_profiles add column notifications_enabled boolean not null default true;
      alter table public.conversation_notes replica identity full;
      grant update (email) on public.user_profiles to authenticated;
      create function public.beacon_snapshot(finished_since timestamptz default null,
        changes_since timestamptz default null, changes_limit integer default 200)
        returns jsonb language sql stable as 'select ''{}''::jsonb';
    `);

    await applySqlFile(client, beaconMigration);
    expect(await catalogFingerprint(client)).toEqual(cleanFingerprint);
  });

  it('leaves exactly the six tables in publication supabase_realtime', async () => {
    expect(await publishedTables(db.pool)).toEqual(BEACON_TABLES.map((table) => `public.${table}`));
  });

  it('sets replica identity FULL where DELETE filters need owner columns, keeps the default on user_profiles', async () => {
    const { rows } = await db.pool.query<{ relname: string; identity: string }>(
      `select relname, relreplident as identity from pg_class
       where relnamespace = 'public'::regnamespace and relname = any($1) order by relname`,
      [BEACON_TABLES],
    );
    expect(Object.fromEntries(rows.map((row) => [row.relname, row.identity]))).toEqual({
      agent_tasks: 'f',
      contacts: 'f',
      conversation_contact_labels: 'f',
      conversation_metadata: 'f',
      conversation_notes: 'f',
      user_profiles: 'd',
    });
  });
});

describe('PostgreSQL 15', () => {
  it.skipIf(!hasPg15)(
    `applies platform SQL, migrations and seed on Debian's PostgreSQL 15 (skipped where ${PG15_BIN} is not installed)`,
    async () => {
      const server = await EmbeddedServer.start({
        binaries: { initdb: path.join(PG15_BIN, 'initdb'), postgres: path.join(PG15_BIN, 'postgres') },
        onLog: () => {},
      });
      const pool = new pg.Pool({ connectionString: server.connectionString(), max: 2 });
      // pool.end() resolves before its sockets close; the shutdown may still reach one of them.
      pool.on('error', () => {});
      try {
        const client = await pool.connect();
        try {
          const { rows } = await client.query<{ version: number }>("select current_setting('server_version_num')::int as version");
          expect(Math.floor(rows[0]!.version / 10000)).toBe(15);
          await applyPlatform(client);
          await applyMigrations(client);
          await applySeed(client);
          await applyMigrations(client);
          expect(await publishedTables(client)).toEqual(BEACON_TABLES.map((table) => `public.${table}`));
          expect(withoutMaintain(await catalogFingerprint(client))).toEqual(withoutMaintain(cleanFingerprint));
        } finally {
          client.release();
        }
        const snapshot = await asActor(pool, { kind: 'agent', owner: 'a' }, async (client) => {
          const result = await client.query<{ snapshot: { profile: { email: string } } }>('select public.beacon_snapshot() as snapshot');
          return result.rows[0]!.snapshot;
        });
        expect(snapshot.profile.email).toBe('agent.a@beacon.local');
      } finally {
        await pool.end();
        await server.stop();
      }
      expect(pgrepFull(server.dataDir)).toEqual([]);
    },
  );
});

/** PostgreSQL 17 added the MAINTAIN table privilege; 15 cannot have it. */
function withoutMaintain(lines: string[]): string[] {
  return lines.map((line) => line.replace(/,?[\w-]+:MAINTAIN/g, ''));
}

function pgrepFull(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return [];
  }
}
