/**
 * The local stack: PostgreSQL (embedded or external) prepared with Supabase's
 * platform SQL, the project's migrations and seed, and one HTTP server on
 * loopback serving what supabase-js talks to — /auth/v1, /rest/v1,
 * /realtime/v1/websocket — plus the test control surface /admin/v1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { startDatabase, type Database } from './db/database.ts';
import { prepareDatabase } from './db/prepare.ts';
import { signJwt, TokenRevocations } from './auth/jwt.ts';
import { createAuthHandler } from './auth/routes.ts';
import { createRestHandler } from './rest/routes.ts';
import { createRealtimeServer, type RealtimeServer } from './realtime/server.ts';
import { createFaults, type Faults } from './faults/faults.ts';
import { createAdminHandler } from './faults/admin-routes.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator/simulator.ts';
import { DEMO_USERS, type DemoUser } from './demo-users.ts';
import type { StackContext, StackKeys, StackLog } from './context.ts';

export interface StackOptions {
  /** HTTP port on 127.0.0.1; 0 = any free port. */
  port?: number;
  /** Persistent data (database + keys) here; absent = ephemeral, removed on stop. */
  dataDir?: string;
  /** Use this PostgreSQL (>= 15, wal_level=logical) instead of an embedded one. */
  externalDbUrl?: string;
  /** Access-token lifetime for /auth/v1 (default 3600 s, as Supabase). */
  accessTokenTtlSeconds?: number;
  /** Load supabase/seed.sql into an empty database (default true). */
  seed?: boolean;
  /** Start the activity simulator with these options (off unless given). */
  simulator?: SimulatorOptions;
  log?: StackLog;
}

export interface Stack {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly jwtSecret: string;
  readonly dbUrl: string;
  readonly demoUsers: ReadonlyArray<DemoUser & { id: string }>;
  readonly context: StackContext;
  readonly realtime: RealtimeServer;
  readonly faults: Faults;
  readonly simulator: Simulator | undefined;
  stop(): Promise<void>;
}

const TEN_YEARS = 10 * 365 * 24 * 3600;
const persistedKeysSchema = z.object({ jwtSecret: z.string().min(32) });

async function loadOrCreateSecret(dataDir: string | undefined): Promise<string> {
  if (!dataDir) return randomBytes(32).toString('hex');
  const file = join(dataDir, 'stack-keys.json');
  try {
    return persistedKeysSchema.parse(JSON.parse(await readFile(file, 'utf8'))).jwtSecret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is not a valid key file: ${String(error)}`);
    const jwtSecret = randomBytes(32).toString('hex');
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify({ jwtSecret }, null, 2), { mode: 0o600 });
    return jwtSecret;
  }
}

/** Supabase's anon and service-role keys are long-lived JWTs signed with the project's secret. */
async function issueKeys(jwtSecret: string): Promise<StackKeys> {
  const iat = Math.floor(Date.now() / 1000);
  const key = (role: string) => signJwt(jwtSecret, { iss: 'supabase', role, iat, exp: iat + TEN_YEARS });
  return { jwtSecret, anonKey: await key('anon'), serviceRoleKey: await key('service_role') };
}

const silentLog: StackLog = () => {};

/** The context every part of the stack shares, for a prepared database (tests build their own servers on it too). */
export async function createStackContext(
  db: Database,
  options: { jwtSecret?: string; accessTokenTtlSeconds?: number; log?: StackLog } = {},
): Promise<StackContext> {
  return {
    db,
    keys: await issueKeys(options.jwtSecret ?? randomBytes(32).toString('hex')),
    revocations: new TokenRevocations(),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    log: options.log ?? silentLog,
  };
}

export async function createStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? silentLog;
  const jwtSecret = await loadOrCreateSecret(options.dataDir);
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((error) => log('warn', 'stop step failed', { error: String(error) }));
  };

  try {
    const db: Database = await startDatabase({
      ...(options.externalDbUrl ? { externalUrl: options.externalDbUrl } : {}),
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'postgres') } : {}),
      onLog: (line) => log('debug', line, { source: 'postgres' }),
    });
    cleanup.push(() => db.stop());
    await prepareDatabase(db, { seed: options.seed ?? true });

    const context = await createStackContext(db, {
      jwtSecret,
      log,
      ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
    const { keys } = context;
    const realtime = await createRealtimeServer(context);
    cleanup.push(() => realtime.close());
    const faults = createFaults({ realtime, db, revocations: context.revocations });
    cleanup.push(() => faults.close());

    const routes: Array<[prefix: string, handler: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>]> = [
      ['/auth/v1', createAuthHandler(context)],
      ['/rest/v1', faults.gateRest(createRestHandler(context))],
      ['/admin/v1', createAdminHandler(context, faults)],
    ];
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const route = routes.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'no route matched' }));
        return;
      }
      route[1](req, res, path.slice(route[0].length) || '/').catch((error: unknown) => {
        log('error', 'unhandled request error', { path, error: String(error) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'internal error' }));
      });
    });
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/realtime/v1/websocket' || path === '/realtime/v1/websocket/') realtime.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { rows } = await db.pool.query<{ id: string; email: string }>('select id, email from auth.users where email = any($1)', [
      DEMO_USERS.map((u) => u.email),
    ]);
    const demoUsers = DEMO_USERS.flatMap((user) => {
      const row = rows.find((r) => r.email === user.email);
      return row ? [{ ...user, id: row.id }] : [];
    });

    let simulator: Simulator | undefined;
    if (options.simulator) {
      simulator = await startSimulator(db.pool, options.simulator);
      const running = simulator;
      cleanup.push(() => running.stop());
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      anonKey: keys.anonKey,
      serviceRoleKey: keys.serviceRoleKey,
      jwtSecret,
      dbUrl: db.url,
      demoUsers,
      context,
      realtime,
      faults,
      simulator,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
