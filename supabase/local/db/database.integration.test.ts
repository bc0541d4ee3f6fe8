/**
 * The database harness against real PostgreSQL servers: embedded start with
 * logical decoding, restart, persistent data directories, external URLs and
 * their wal_level check, and no server process left behind in any way a test
 * run or the app can end.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDatabase, type Database } from './database.ts';
import { EmbeddedServer } from './embedded-server.ts';

/** Every data directory a test here started a server in: none may have a process at the end. */
const dataDirs = new Set<string>();

function serverProcesses(dataDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function dataDirOf(db: Database): Promise<string> {
  const { rows } = await db.pool.query<{ dir: string }>("select current_setting('data_directory') as dir");
  const dir = z.string().parse(rows[0]?.dir);
  dataDirs.add(dir);
  return dir;
}

let db: Database;
let dataDir: string;

beforeAll(async () => {
  db = await startDatabase();
  dataDir = await dataDirOf(db);
});

afterAll(async () => {
  await db?.stop();
  for (const dir of dataDirs) expect(serverProcesses(dir), `postgres still running for ${dir}`).toEqual([]);
});

describe('embedded database', () => {
  it('runs PostgreSQL 17 on 127.0.0.1 with logical decoding enabled', async () => {
    expect(new URL(db.url).hostname).toBe('127.0.0.1');
    expect(new URL(db.url).port).toBe(String(db.port));
    expect(db.external).toBe(false);
    const { rows } = await db.pool.query<Record<string, string>>(
      `select current_setting('server_version_num') as version, current_setting('wal_level') as wal_level,
              current_setting('max_replication_slots') as slots, current_setting('max_wal_senders') as senders,
              current_setting('listen_addresses') as listen`,
    );
    const settings = rows[0]!;
    expect(Math.floor(Number(settings.version) / 10000)).toBe(17);
    expect(settings).toMatchObject({ wal_level: 'logical', listen: '127.0.0.1' });
    expect(Number(settings.slots)).toBeGreaterThanOrEqual(10);
    expect(Number(settings.senders)).toBeGreaterThanOrEqual(10);

    const slot = await db.pool.query("select slot_name from pg_create_logical_replication_slot('harness_check', 'pgoutput', true)");
    expect(slot.rows).toEqual([{ slot_name: 'harness_check' }]);
  });

  it('restarts on the same port and data; the pool keeps working', async () => {
    await db.pool.query('create table restart_probe (value text)');
    await db.pool.query("insert into restart_probe values ('kept')");
    const port = db.port;
    await db.restart();
    expect(db.port).toBe(port);
    const { rows } = await db.pool.query('select value from restart_probe');
    expect(rows).toEqual([{ value: 'kept' }]);
  });

  it('keeps a persistent data directory across stop and start', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-persist-'));
    fs.chmodSync(parent, 0o755);
    const persistent = path.join(parent, 'db');
    dataDirs.add(persistent);
    try {
      const first = await startDatabase({ dataDir: persistent });
      await first.pool.query("create table persisted (value text); insert into persisted values ('still here')");
      await first.stop();
      expect(serverProcesses(persistent)).toEqual([]);
      expect(fs.existsSync(path.join(persistent, 'PG_VERSION'))).toBe(true);

      const second = await startDatabase({ dataDir: persistent });
      try {
        const { rows } = await second.pool.query('select value from persisted');
        expect(rows).toEqual([{ value: 'still here' }]);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('stop() is idempotent, leaves no postgres process and removes the ephemeral data directory', async () => {
    const own = await startDatabase();
    const ownDir = await dataDirOf(own);
    expect(serverProcesses(ownDir).length).toBeGreaterThan(0);
    await own.stop();
    await own.stop();
    expect(serverProcesses(ownDir)).toEqual([]);
    expect(fs.existsSync(ownDir)).toBe(false);
  });

  it.each(['exit', 'SIGTERM', 'SIGINT'] as const)('a process ending by %s without stop() leaves no server behind', async (ending) => {
    const script = fileURLToPath(new URL('./test-fixtures/hold-database.ts', import.meta.url));
    const child = spawn(process.execPath, [script, ending === 'exit' ? 'exit' : 'wait'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const newline = buffered.indexOf('\n');
        if (newline >= 0) resolve(buffered.slice(0, newline));
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const childDir = z.object({ dataDir: z.string() }).parse(JSON.parse(firstLine)).dataDir;
    dataDirs.add(childDir);
    expect(serverProcesses(childDir).length).toBeGreaterThan(0);

    if (ending === 'exit') child.stdin.write('exit\n');
    else child.kill(ending);
    await exited;
    expect(serverProcesses(childDir)).toEqual([]);
    expect(fs.existsSync(path.dirname(childDir))).toBe(false);
  });
});

describe('external database', () => {
  it('uses a server given by URL without owning it', async () => {
    const external = await startDatabase({ externalUrl: db.url });
    expect(external).toMatchObject({ url: db.url, port: db.port, external: true });
    expect((await external.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await expect(external.restart()).rejects.toThrow(/embedded/);
    await external.stop();
    await external.stop();
    // The server itself is untouched.
    expect((await db.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect(serverProcesses(dataDir).length).toBeGreaterThan(0);
  });

  it('refuses a server without wal_level=logical and says how to fix it', async () => {
    const server = await EmbeddedServer.start({ onLog: () => {}, settings: { wal_level: 'replica' } });
    dataDirs.add(server.dataDir);
    try {
      await expect(startDatabase({ externalUrl: server.connectionString() })).rejects.toThrow(
        /wal_level=replica.*wal_level=logical.*ALTER SYSTEM SET wal_level = logical.*restart/s,
      );
    } finally {
      await server.stop();
    }
  });

  it('rejects a URL that is not a PostgreSQL URL', async () => {
    await expect(startDatabase({ externalUrl: 'http://127.0.0.1:1/db' })).rejects.toThrow(/postgres:\/\//);
  });

  it('names the server it cannot reach, without its password', async () => {
    const failure = await startDatabase({ externalUrl: 'postgres://someone:secret-pw@127.0.0.1:1/none' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/cannot connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/none/i);
    expect((failure as Error).message).not.toContain('secret-pw');
  });
});
