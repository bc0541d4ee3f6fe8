/**
 * Test fixture for the realtime tests: an ephemeral prepared PostgreSQL
 * (platform SQL, migrations, seed) and one loopback HTTP server routing
 * `/realtime/v1/websocket` upgrades to the realtime server. Tokens for the
 * seeded agents are signed directly. (The full stack is stack.ts's createStack.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import { WebSocket } from 'ws';
import { startDatabase, type Database } from '../db/database.ts';
import { prepareDatabase } from '../db/prepare.ts';
import { signJwt } from '../auth/jwt.ts';
import { createStackContext } from '../stack.ts';
import type { StackContext, StackLog } from '../context.ts';
import { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from './server.ts';

/** The agents supabase/seed.sql creates (ids follow the seed's documented pattern). */
export const SEEDED = {
  a: { id: 'a0000000-0000-4000-8000-000000000001', email: 'agent.a@beacon.local' },
  b: { id: 'b0000000-0000-4000-8000-000000000001', email: 'agent.b@beacon.local' },
} as const;

export interface RealtimeFixture {
  /** http://127.0.0.1:<port>, what createClient takes. */
  readonly url: string;
  readonly context: StackContext;
  readonly realtime: RealtimeServer;
  readonly db: Database;
  /** An access token as /auth/v1 would issue it for this user. */
  tokenFor(user: { id: string; email: string }, ttlSeconds?: number): Promise<string>;
  /**
   * A supabase-js client whose realtime is authorised by `token()` (createClient's accessToken
   * option), with the token already set on realtime: otherwise the first join can go out without it
   * and be authorised as anon (reference §2.2, §11).
   */
  client(token: () => string | null, options?: { vsn?: '1.0.0' | '2.0.0' }): Promise<SupabaseClient>;
  stop(): Promise<void>;
}

/** BEACON_TEST_LOG=1: the server's warnings and errors on stderr, for diagnosing a failing test. */
const stderrLog: StackLog = (level, message, fields) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
};

/** Join/connect error back-offs are shortened so tests need not wait Realtime's 5 s / 2 s. */
const FAST: RealtimeServerOptions = { joinErrorBackoffMs: 50, connectErrorBackoffMs: 50 };

export async function startRealtimeFixture(options: RealtimeServerOptions = {}): Promise<RealtimeFixture> {
  const db = await startDatabase();
  const clients: SupabaseClient[] = [];
  let realtime: RealtimeServer | undefined;
  let server: Server | undefined;
  const stop = async () => {
    await Promise.allSettled(clients.map((c) => c.removeAllChannels()));
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      });
    }
    await realtime?.close();
    await db.stop();
  };
  try {
    await prepareDatabase(db, { seed: true });
    const context = await createStackContext(db, { accessTokenTtlSeconds: 3600, ...(process.env.BEACON_TEST_LOG ? { log: stderrLog } : {}) });
    const rt = await createRealtimeServer(context, { ...FAST, ...options });
    realtime = rt;
    const http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/realtime/v1/api/')) void rt.handleHttp(req, res, path.slice('/realtime/v1/api'.length));
      else res.writeHead(404).end();
    });
    http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/realtime/v1/websocket') rt.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    server = http;
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    return {
      url,
      context,
      realtime: rt,
      db,
      tokenFor: (user, ttlSeconds = 3600) => {
        const now = Math.floor(Date.now() / 1000);
        return signJwt(context.keys.jwtSecret, {
          sub: user.id,
          email: user.email,
          role: 'authenticated',
          aud: 'authenticated',
          iat: now,
          exp: now + ttlSeconds,
        });
      },
      client: async (token, clientOptions = {}) => {
        const client = createClient(url, context.keys.anonKey, {
          accessToken: async () => token(),
          // As the desktop app does: `ws` explicitly, not whatever global WebSocket the runtime has.
          realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor, ...(clientOptions.vsn ? { vsn: clientOptions.vsn } : {}) },
        });
        clients.push(client);
        await client.realtime.setAuth();
        return client;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
