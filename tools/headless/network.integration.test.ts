/**
 * The headless runner on a company-like network: the local stack served over
 * HTTPS with a certificate from a CA this test creates, under a host name
 * (stack.beacon.invalid) that only the forward proxy resolves — the proxy
 * (TooTallNate's `proxy`, test/network/test-proxy.ts) is the only way to
 * reach it. The runner gets the proxy from HTTPS_PROXY and the "system store"
 * from SSL_CERT_FILE (what Node's tls.getCACertificates('system') reads on
 * Linux), or the roots from --ca-bundle (the ExtraCaBundle policy's twin).
 *
 * Evidence that REST and the WebSocket both went through the proxy: every
 * TLS connection the stack accepted matches a CONNECT in the proxy's log, and
 * among those connections one carried the Realtime upgrade and others the
 * auth and REST calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStack, type Stack } from '../../supabase/local/stack.ts';
import { createTestCa, type TestCa } from '../../test/network/test-ca.ts';
import { startTestProxy, type TestProxy, type TunnelLogEntry } from '../../test/network/test-proxy.ts';
import { createClient } from '@supabase/supabase-js';
import { runConnectionTest } from '../../main/core/network/diagnose.ts';
import { silentLogger, systemClock } from '../../main/core/ports.ts';
import { createHeadlessNetwork } from './node-network.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const HOST = 'stack.beacon.invalid';
const EMAIL = 'agent.a@beacon.local';
const PASSWORD = 'beacon-demo-a';
const PROXY_USER = 'agent';
const PROXY_PASSWORD = 'p@ss w0rd';

type Line = Record<string, unknown>;

interface Runner {
  readonly lines: Line[];
  waitFor(predicate: (line: Line) => boolean, what: string): Promise<Line>;
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
  readonly child: ChildProcessWithoutNullStreams;
}

function startRunner(args: string[], env: NodeJS.ProcessEnv): Runner {
  const child = spawn(process.execPath, [cli, ...args, '--json'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  child.stderr.resume();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as Line);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    child,
    exited,
    waitFor(predicate, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)}`));
        }, 25_000);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      return exited;
    },
  };
}

async function finishTask(stack: Stack, email: string): Promise<string> {
  const { rows } = await stack.context.db.pool.query<{ id: string }>(
    `update public.agent_tasks set status = 'completed', result = 'done by the test'
      where id = (select t.id from public.agent_tasks t join public.ai_agents a on a.id = t.agent_id join auth.users u on u.id = a.user_id
                   where u.email = $1 and t.status in ('pending', 'in_progress') order by t.id limit 1)
      returning id`,
    [email],
  );
  return rows[0]!.id;
}

/** What each TLS connection the stack accepted carried. */
type ConnectionUse = Set<'auth' | 'rest' | 'realtime' | 'other'>;

describe('headless runner through a forward proxy to an HTTPS stack', () => {
  let stack: Stack;
  let ca: TestCa;
  let dir: string;
  let proxy: TestProxy;
  let authProxy: TestProxy;
  let caFile: string;
  let otherCaFile: string;
  let emptyDir: string;
  let url: string;
  const connections: ConnectionUse[] = [];
  const runners: Runner[] = [];
  let stateDirs = 0;

  const stateDir = async () => {
    const path = join(dir, `state-${++stateDirs}`);
    await mkdir(path, { recursive: true });
    return path;
  };

  /** The runner's environment: only the variables given here decide its proxy and system store. */
  const env = (vars: Record<string, string>): NodeJS.ProcessEnv => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(https?|all|no)_proxy$/i.test(name) && !/^SSL_CERT_/.test(name)));
    return { ...clean, SSL_CERT_DIR: emptyDir, ...vars };
  };

  const run = (args: string[], vars: Record<string, string>) => {
    const runner = startRunner(['--url', url, '--anon-key', stack.anonKey, ...args], env(vars));
    runners.push(runner);
    return runner;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beacon-proxy-'));
    emptyDir = join(dir, 'no-certs');
    await mkdir(emptyDir);
    ca = await createTestCa('Beacon Test Inspection Root');
    const other = await createTestCa('Unrelated Root');
    caFile = join(dir, 'inspection-root.pem');
    otherCaFile = join(dir, 'unrelated-root.pem');
    await writeFile(caFile, ca.certPem);
    await writeFile(otherCaFile, other.certPem);
    const leaf = await ca.issue([HOST]);
    stack = await createStack({ tls: { cert: leaf.cert, key: leaf.key, hostname: HOST } });
    const port = Number(new URL(stack.url).port);
    url = stack.url;
    const uses = new WeakMap<object, ConnectionUse>();
    stack.server.on('secureConnection', (socket: TLSSocket) => {
      const use: ConnectionUse = new Set();
      uses.set(socket, use);
      connections.push(use);
    });
    const kind = (req: IncomingMessage) => {
      const path = req.url ?? '';
      return path.startsWith('/auth/v1') ? 'auth' : path.startsWith('/rest/v1') ? 'rest' : path.startsWith('/realtime/v1') ? 'realtime' : 'other';
    };
    stack.server.on('request', (req: IncomingMessage) => uses.get(req.socket)?.add(kind(req)));
    stack.server.on('upgrade', (req: IncomingMessage) => uses.get(req.socket)?.add(kind(req)));
    proxy = await startTestProxy({ hosts: { [`${HOST}:${port}`]: port } });
    authProxy = await startTestProxy({ hosts: { [`${HOST}:${port}`]: port }, credentials: { username: PROXY_USER, password: PROXY_PASSWORD } });
    // PostgreSQL's first start can take long on a busy shared machine.
  }, 180_000);

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await proxy?.close();
    await authProxy?.close();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  const report = (name: string, entries: readonly TunnelLogEntry[]) =>
    console.info(`[proxy log: ${name}]\n${entries.map((e) => `  CONNECT ${e.target} → ${e.status}${e.user ? ` (user ${e.user})` : ''}, ${e.bytesUp} B up / ${e.bytesDown} B down${e.open ? ', still open' : ''}`).join('\n')}`);

  it('signs in, goes live and announces a finished task: auth, REST and the WebSocket all through the proxy (system store trusts the root)', async () => {
    const logStart = proxy.log.length;
    const connStart = connections.length;
    const runner = run(['--email', EMAIL, '--password', PASSWORD, '--state-dir', await stateDir()], { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: caFile });
    await runner.waitFor((l) => l.type === 'session' && l.signedIn === true, 'signed in');
    await runner.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
    const taskId = await finishTask(stack, EMAIL);
    await runner.waitFor((l) => l.type === 'notification' && l.taskId === taskId, 'the notification');

    const tunnels = proxy.log.slice(logStart);
    const accepted = connections.slice(connStart);
    report('no authentication', tunnels);
    expect(tunnels.length).toBeGreaterThanOrEqual(2);
    expect(tunnels.every((t) => t.target === `${HOST}:${new URL(url).port}` && t.status === 200)).toBe(true);
    // Every connection the stack accepted came through one of these tunnels (its name exists only in the proxy)…
    expect(accepted.length).toBe(tunnels.length);
    // …one of them is the Realtime WebSocket, still open while live, and others carried sign-in and REST.
    expect(accepted.filter((use) => use.has('realtime'))).toHaveLength(1);
    expect(accepted.some((use) => use.has('auth'))).toBe(true);
    expect(accepted.some((use) => use.has('rest'))).toBe(true);
    expect(tunnels.some((t) => t.open)).toBe(true);
    await runner.stop();
  });

  it('authenticates to the proxy (Basic, credentials in HTTPS_PROXY) and trusts the root from --ca-bundle', async () => {
    const logStart = authProxy.log.length;
    const proxyUrl = `http://${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${authProxy.port}`;
    const runner = run(['--email', EMAIL, '--password', PASSWORD, '--state-dir', await stateDir(), '--ca-bundle', caFile], { HTTPS_PROXY: proxyUrl, SSL_CERT_FILE: otherCaFile });
    await runner.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
    const taskId = await finishTask(stack, EMAIL);
    await runner.waitFor((l) => l.type === 'notification' && l.taskId === taskId, 'the notification');
    const tunnels = authProxy.log.slice(logStart);
    report('Basic authentication, right credentials', tunnels);
    // Asked once (407 on the first CONNECT), then every tunnel signed in.
    expect(tunnels[0]).toMatchObject({ status: 407, user: null });
    expect(tunnels.slice(1).length).toBeGreaterThanOrEqual(2);
    expect(tunnels.slice(1).every((t) => t.status === 200 && t.user === PROXY_USER)).toBe(true);
    await runner.stop();
  });

  it('stops with a clear error, and no retry storm, when the proxy refuses the credentials', async () => {
    const logStart = authProxy.log.length;
    const runner = run(['--email', EMAIL, '--password', PASSWORD, '--state-dir', await stateDir(), '--ca-bundle', caFile], {
      HTTPS_PROXY: `http://${PROXY_USER}:wrong@127.0.0.1:${authProxy.port}`,
    });
    const error = await runner.waitFor((l) => l.type === 'error', 'the error');
    expect(error.message).toMatch(new RegExp(`The proxy 127\\.0\\.0\\.1:${authProxy.port} refused Beacon's proxy sign-in \\(user "${PROXY_USER}"\\)`));
    expect(await runner.exited).toBe(1);
    const tunnels = authProxy.log.slice(logStart);
    report('Basic authentication, wrong credentials', tunnels);
    expect(tunnels.length).toBeLessThanOrEqual(2);
    expect(tunnels.every((t) => t.status === 407)).toBe(true);
  });

  it('says who issued the certificate when the root is not trusted, and does not retry in a loop', async () => {
    const logStart = proxy.log.length;
    const runner = run(['--email', EMAIL, '--password', PASSWORD, '--state-dir', await stateDir()], { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: otherCaFile });
    const error = await runner.waitFor((l) => l.type === 'error', 'the error');
    expect(error.message).toContain(`The connection to ${HOST} is intercepted by a certificate Beacon does not trust: issued by Beacon Test Inspection Root (Beacon Test Networks).`);
    expect(error.message).toMatch(/certificate store|ExtraCaBundle/);
    expect(await runner.exited).toBe(1);
    const tunnels = proxy.log.slice(logStart);
    report('untrusted root', tunnels);
    expect(tunnels.length).toBeLessThanOrEqual(2);
  });

  it('with a stored session and the root no longer trusted, retries at a bounded pace (no storm) and says why', async () => {
    const state = await stateDir();
    const first = run(['--email', EMAIL, '--password', PASSWORD, '--state-dir', state], { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: caFile });
    await first.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
    await first.stop();
    const logStart = proxy.log.length;
    const second = run(['--state-dir', state, '--verbose'], { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: otherCaFile });
    let stderr = '';
    second.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The health line says what the tray says, and why: the certificate that was presented.
    await second.waitFor(
      (l) => l.type === 'health' && l.state === 'offline' && String(l.detail).includes('does not trust: issued by Beacon Test Inspection Root'),
      'offline, with why',
    );
    // Watch it for a while: every retry is one CONNECT, so the log counts them.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const tunnels = proxy.log.slice(logStart);
    report('stored session, untrusted root, 6 s', tunnels);
    expect(tunnels.length).toBeLessThanOrEqual(16);
    expect(stderr).toContain('is intercepted by a certificate Beacon does not trust: issued by Beacon Test Inspection Root');
    // Logged once per kind of failure, not once per retry.
    expect(stderr.split('network: connection failed').length - 1).toBe(1);
    await second.stop();
  }, 60_000);

  it('--diagnose --json walks every hop through the authenticating proxy', async () => {
    const proxyUrl = `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${authProxy.port}`;
    const runner = run(['--diagnose', '--email', EMAIL, '--password', PASSWORD, '--ca-bundle', caFile], { HTTPS_PROXY: proxyUrl });
    const line = await runner.waitFor((l) => l.type === 'connection-test', 'the report');
    expect(await runner.exited).toBe(0);
    const hops = line.hops as Array<{ id: string; status: string; ms: number | null; detail: string }>;
    expect(line.ok).toBe(true);
    expect(hops.map((h) => [h.id, h.status])).toEqual([
      ['name-resolution', 'ok'],
      ['proxy', 'ok'],
      ['tls', 'ok'],
      ['api-key', 'ok'],
      ['sign-in', 'ok'],
      ['rest', 'ok'],
      ['realtime-join', 'ok'],
      ['heartbeat', 'ok'],
    ]);
    expect(hops.every((h) => typeof h.ms === 'number' && h.ms >= 0)).toBe(true);
    expect(hops[0]!.detail).toBe(`${HOST} is resolved by the proxy; the proxy is at 127.0.0.1.`);
    expect(hops[1]!.detail).toMatch(new RegExp(`^through the proxy 127\\.0\\.0\\.1:${authProxy.port}, from the environment \\(HTTPS_PROXY\\)\\.$`));
    expect(hops[2]!.detail).toMatch(/issued by Beacon Test Inspection Root \(Beacon Test Networks\), valid until .+; trusting the system store, the bundled roots and 1 from the CA bundle\./);
  });

  it('the connection test with the current session (as the app runs it), an injected system store, in process', async () => {
    const network = await createHeadlessNetwork({ logger: silentLogger, env: { HTTPS_PROXY: proxy.url }, systemRoots: () => [ca.certPem] });
    try {
      const client = createClient(url, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false }, global: { fetch: network.fetch } });
      const { data, error } = await client.auth.signInWithPassword({ email: EMAIL, password: PASSWORD });
      expect(error).toBeNull();
      const report = await runConnectionTest({ url, anonKey: stack.anonKey, network, clock: systemClock, auth: { kind: 'access-token', accessToken: data.session!.access_token } });
      expect(report.hops.map((h) => h.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
      expect(report.hops.find((h) => h.id === 'sign-in')!.detail).toBe(`The current session is valid (${EMAIL}).`);
    } finally {
      await network.close();
    }
  });

  it('--diagnose stops at TLS with the issuer and what to change when the root is not trusted', async () => {
    const runner = run(['--diagnose'], { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: otherCaFile });
    const line = await runner.waitFor((l) => l.type === 'connection-test', 'the report');
    expect(await runner.exited).toBe(1);
    const hops = line.hops as Array<{ id: string; status: string; detail: string; fix?: string }>;
    expect(line).toMatchObject({ ok: false, failedAt: 'tls' });
    expect(hops.map((h) => h.status)).toEqual(['ok', 'ok', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(hops[2]!.detail).toBe(`The connection to ${HOST} is intercepted by a certificate Beacon does not trust: issued by Beacon Test Inspection Root (Beacon Test Networks).`);
    expect(hops[2]!.fix).toMatch(/operating system's certificate store/);
  });
});
