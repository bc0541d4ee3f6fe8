/**
 * A real forward proxy for tests: TooTallNate's `proxy` (CONNECT and plain
 * HTTP), on 127.0.0.1 with a random port, optionally demanding Basic proxy
 * authentication. Host names in `hosts` exist only here: the proxy maps them
 * to 127.0.0.1 ports, so a client that does not go through the proxy cannot
 * reach them at all. Every CONNECT is logged with its target, whether it was
 * allowed, and the bytes it carried.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

export interface TunnelLogEntry {
  /** What the client asked for, e.g. "stack.beacon.invalid:443". */
  readonly target: string;
  /** 200, or 407 when the credentials were missing or wrong. */
  status: number;
  readonly user: string | null;
  bytesUp: number;
  bytesDown: number;
  open: boolean;
}

export interface TestProxy {
  readonly url: string;
  readonly port: number;
  readonly log: TunnelLogEntry[];
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** "name:port" the proxy resolves → the 127.0.0.1 port it connects to. */
  readonly hosts?: Readonly<Record<string, number>>;
  /** Basic credentials the proxy demands; absent = no authentication. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

function basicUser(req: IncomingMessage): { user: string; password: string } | null {
  const header = req.headers['proxy-authorization'];
  const match = typeof header === 'string' ? /^Basic\s+(.+)$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const log: TunnelLogEntry[] = [];
  const server: Server = createProxy(createServer());
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const { credentials } = options;
  if (credentials) {
    (server as Server & { authenticate?: (req: IncomingMessage) => boolean }).authenticate = (req) => {
      const given = basicUser(req);
      return given !== null && given.user === credentials.username && given.password === credentials.password;
    };
  }
  // Runs before the proxy's own CONNECT handler: log the tunnel, then point known names at loopback.
  server.prependListener('connect', (req: IncomingMessage, socket: Socket) => {
    const target = req.url ?? '';
    const given = basicUser(req);
    const allowed = !credentials || (given !== null && given.user === credentials.username && given.password === credentials.password);
    const entry: TunnelLogEntry = { target, status: allowed ? 200 : 407, user: given?.user ?? null, bytesUp: 0, bytesDown: 0, open: allowed };
    log.push(entry);
    socket.on('data', (chunk: Buffer) => {
      entry.bytesUp += chunk.length;
    });
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk)) entry.bytesDown += chunk.length;
      return write(chunk, ...rest);
    }) as typeof socket.write;
    socket.once('close', () => {
      entry.open = false;
    });
    const mapped = options.hosts?.[target];
    if (mapped !== undefined) req.url = `127.0.0.1:${mapped}`;
    else if (!/^127\.0\.0\.1:\d+$/.test(target)) req.url = '127.0.0.1:9'; // nothing else is reachable from a test
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
