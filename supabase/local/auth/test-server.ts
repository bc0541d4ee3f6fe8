/**
 * Test fixture for the auth and REST tests: an ephemeral prepared PostgreSQL
 * and one loopback HTTP server mounting /auth/v1 and /rest/v1. (The full stack,
 * with realtime and the control surface, is stack.ts's createStack.)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDatabase, type Database } from '../db/database.ts';
import { prepareDatabase } from '../db/prepare.ts';
import type { StackContext } from '../context.ts';
import { createRestHandler } from '../rest/routes.ts';
import { createAuthHandler } from './routes.ts';
import { createStackContext, type StackContextOptions } from '../stack.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

export interface TestServer {
  readonly url: string;
  readonly context: StackContext;
  /** Another server on the same database and keys, whose access tokens live `ttlSeconds`. */
  withTokenTtl(ttlSeconds: number): Promise<{ url: string; close(): Promise<void> }>;
  /** Another server on the same database, with parts of the context replaced (auth settings, clock, keys). */
  withContext(overrides: Partial<StackContext>): Promise<{ url: string; context: StackContext; close(): Promise<void> }>;
  stop(): Promise<void>;
}

async function listen(context: StackContext): Promise<{ url: string; close(): Promise<void> }> {
  const routes: Array<[string, Handler]> = [
    ['/auth/v1', createAuthHandler(context)],
    ['/rest/v1', createRestHandler(context)],
  ];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    route[1](req, res, path.slice(route[0].length) || '/').catch((error: unknown) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startTestServer(options: Omit<StackContextOptions, 'log'> = {}): Promise<TestServer> {
  const db: Database = await startDatabase();
  try {
    await prepareDatabase(db, { seed: true });
    const context = await createStackContext(db, { ...options, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600 });
    const main = await listen(context);
    const extra: Array<{ close(): Promise<void> }> = [];
    return {
      url: main.url,
      context,
      async withTokenTtl(ttlSeconds) {
        const server = await listen({ ...context, accessTokenTtlSeconds: ttlSeconds });
        extra.push(server);
        return server;
      },
      async withContext(overrides) {
        const derived: StackContext = { ...context, ...overrides };
        const server = await listen(derived);
        extra.push(server);
        return { ...server, context: derived };
      },
      async stop() {
        for (const server of [...extra, main]) await server.close();
        await db.stop();
      },
    };
  } catch (error) {
    await db.stop();
    throw error;
  }
}
