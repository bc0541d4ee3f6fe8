/**
 * The local stack: PostgreSQL (embedded or external) prepared with Supabase's
 * platform SQL, the project's migrations and seed, and one HTTP server on
 * loopback serving what supabase-js talks to — /auth/v1, /rest/v1,
 * /realtime/v1/websocket, /realtime/v1/api/broadcast — plus the test control surface /admin/v1.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startDatabase, type Database } from './db/database.ts';
import { prepareDatabase } from './db/prepare.ts';
import { TokenRevocations } from './auth/jwt.ts';
import type { Es256PrivateJwk, UserTokenAlgorithm } from './auth/signing-keys.ts';
import { createProjectKeys, type KeyOptions } from './project-keys.ts';
import { PROFILES, type ProfileName } from './profiles.ts';
import { createAuthHandler } from './auth/routes.ts';
import { createRestHandler } from './rest/routes.ts';
import { createRealtimeServer, type RealtimeServer } from './realtime/server.ts';
import { createFaults, type Faults } from './faults/faults.ts';
import { createAdminHandler } from './faults/admin-routes.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from './simulator/simulator.ts';
import { DEMO_USERS, type DemoUser } from './demo-users.ts';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings, type StackContext, type StackKeys, type StackLog } from './context.ts';

export interface StackOptions {
  /** Defaults of a known setup (`supabase-cli`: port 54321, the CLI's demo JWT secret and keys); other options win over it. */
  profile?: ProfileName;
  /** HTTP port on 127.0.0.1; 0 = any free port (default 0, or the profile's). */
  port?: number;
  /** HS256 JWT secret (>= 32 characters); default: persisted in dataDir, or random. */
  jwtSecret?: string;
  /** ES256 signing key (private JWK with `kid`); default: persisted in dataDir, or generated. */
  signingKey?: Es256PrivateJwk;
  /** Which key signs new user access tokens: HS256 (default) or ES256. Both are accepted everywhere either way. */
  userTokenAlgorithm?: UserTokenAlgorithm;
  /** GoTrue settings (signups, autoconfirm, password length, refresh-token reuse interval). */
  auth?: Partial<AuthSettings>;
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
  /**
   * Serve over HTTPS (and WSS) with this certificate and key (PEM). `hostname` is the name the
   * certificate is for, used in `url` (default 127.0.0.1): tests map it to 127.0.0.1 in a proxy.
   */
  tls?: StackTlsOptions;
}

export interface StackTlsOptions {
  readonly cert: string;
  readonly key: string;
  readonly hostname?: string;
}

export interface Stack {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly publishableKey: string;
  readonly secretKey: string;
  readonly jwtSecret: string;
  /** `<url>/auth/v1/.well-known/jwks.json`: the public signing key(s). */
  readonly jwksUrl: string;
  readonly dbUrl: string;
  readonly demoUsers: ReadonlyArray<DemoUser & { id: string }>;
  readonly context: StackContext;
  readonly realtime: RealtimeServer;
  readonly faults: Faults;
  readonly simulator: Simulator | undefined;
  /** The HTTP(S) server, for tests that watch its connections. */
  readonly server: Server;
  stop(): Promise<void>;
}

const silentLog: StackLog = () => {};

export interface StackContextOptions {
  /** Ready keys, or what to make them from. */
  keys?: StackKeys | KeyOptions;
  accessTokenTtlSeconds?: number;
  auth?: Partial<AuthSettings>;
  /** Clock in epoch milliseconds (default Date.now). */
  now?: () => number;
  log?: StackLog;
}

const isStackKeys = (keys: StackKeys | KeyOptions): keys is StackKeys => 'asymmetric' in keys;

/** The context every part of the stack shares, for a prepared database (tests build their own servers on it too). */
export async function createStackContext(db: Database, options: StackContextOptions = {}): Promise<StackContext> {
  const keys = options.keys ?? {};
  return {
    db,
    keys: isStackKeys(keys) ? keys : await createProjectKeys(keys),
    revocations: new TokenRevocations(),
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    auth: { ...DEFAULT_AUTH_SETTINGS, ...options.auth },
    now: options.now ?? Date.now,
    log: options.log ?? silentLog,
  };
}

export async function createStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? silentLog;
  const profile = options.profile === undefined ? undefined : PROFILES[options.profile];
  // A secret other than the profile's invalidates the profile's legacy JWT keys: they are minted anew with it.
  const { anonKey, serviceRoleKey, ...profileKeys } = profile?.keys ?? {};
  const keepProfileJwts = options.jwtSecret === undefined || options.jwtSecret === profileKeys.jwtSecret;
  const keys = await createProjectKeys({
    ...profileKeys,
    ...(keepProfileJwts && anonKey !== undefined ? { anonKey } : {}),
    ...(keepProfileJwts && serviceRoleKey !== undefined ? { serviceRoleKey } : {}),
    ...(options.jwtSecret !== undefined ? { jwtSecret: options.jwtSecret } : {}),
    ...(options.signingKey !== undefined ? { signingKey: options.signingKey } : {}),
    ...(options.userTokenAlgorithm !== undefined ? { userTokenAlgorithm: options.userTokenAlgorithm } : {}),
    dataDir: options.dataDir,
  });
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
      keys,
      log,
      auth: { ...profile?.auth, ...options.auth },
      ...(options.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
    const realtime = await createRealtimeServer(context);
    cleanup.push(() => realtime.close());
    const faults = createFaults({ realtime, db, revocations: context.revocations });
    cleanup.push(() => faults.close());

    const routes: Array<[prefix: string, handler: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>]> = [
      ['/auth/v1', createAuthHandler(context)],
      ['/rest/v1', faults.gateRest(createRestHandler(context))],
      ['/admin/v1', createAdminHandler(context, faults)],
      ['/realtime/v1/api', (req, res, path) => realtime.handleHttp(req, res, path)],
    ];
    const listener: RequestListener = (req, res) => {
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
    };
    const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/realtime/v1/websocket' || path === '/realtime/v1/websocket/') realtime.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? profile?.port ?? 0, '127.0.0.1', () => resolve());
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const url = options.tls ? `https://${options.tls.hostname ?? '127.0.0.1'}:${port}` : `http://127.0.0.1:${port}`;

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
      publishableKey: keys.publishableKey,
      secretKey: keys.secretKey,
      jwtSecret: keys.jwtSecret,
      jwksUrl: `${url}/auth/v1/.well-known/jwks.json`,
      dbUrl: db.url,
      demoUsers,
      context,
      realtime,
      faults,
      simulator,
      server,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
