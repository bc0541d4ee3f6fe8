/**
 * The connection test: every hop from this computer to a live Realtime
 * channel, in order, each timed, stopping at the first that fails with what to
 * change. Runs on its own supabase-js client (nothing persisted, the app's
 * session untouched) over the same network as the app (BeaconNetwork).
 *
 *   name resolution → proxy chosen → TLS (issuer, expiry) → API key accepted
 *   → sign-in → a REST call → Realtime join → first heartbeat
 */
import { createClient, type SupabaseClient, type WebSocketLikeConstructor } from '@supabase/supabase-js';
import { isIP } from 'node:net';
import type { Clock } from '../ports.ts';
import type { ConnectionHopView, ConnectionTestView } from '../ipc/contract.ts';
import { classifyNetworkError, NetworkFailure } from './failures.ts';
import type { BeaconNetwork } from './network.ts';
import { describeChoice, firstChoice, type ProxyChoice } from './proxy-decision.ts';

export const HOP_IDS = ['name-resolution', 'proxy', 'tls', 'api-key', 'sign-in', 'rest', 'realtime-join', 'heartbeat'] as const;
export type HopId = (typeof HOP_IDS)[number];

export const HOP_LABELS: Record<HopId, string> = {
  'name-resolution': 'Name resolution',
  proxy: 'Proxy',
  tls: 'TLS',
  'api-key': 'API key',
  'sign-in': 'Sign-in',
  rest: 'REST call',
  'realtime-join': 'Realtime join',
  heartbeat: 'First heartbeat',
};

/** One hop (the IPC contract's shape, so the report goes to the window as it is). */
export type HopResult = ConnectionHopView & { readonly id: HopId };
export type ConnectionReport = ConnectionTestView;

export type DiagnoseAuth = { readonly kind: 'password'; readonly email: string; readonly password: string } | { readonly kind: 'access-token'; readonly accessToken: string } | null;

export interface DiagnoseOptions {
  readonly url: string;
  readonly anonKey: string;
  readonly network: BeaconNetwork;
  readonly clock: Clock;
  readonly auth: DiagnoseAuth;
  /** Per hop; default 10 s. */
  readonly timeoutMs?: number;
  /** Heartbeat interval of the test's own socket; default 1 s (the first heartbeat is sent after one interval). */
  readonly heartbeatIntervalMs?: number;
}

class HopFailure extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.fix = fix;
  }
}

class Skip {
  readonly detail: string;
  constructor(detail: string) {
    this.detail = detail;
  }
}

function withTimeout<T>(clock: Clock, ms: number, promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = clock.setTimeout(() => reject(new HopFailure(`${what} did not finish within ${Math.round(ms / 1000)} s.`, 'A firewall or proxy may hold the connection open without answering; see the hosts and ports Beacon needs in the IT guide.')), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(handle);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(handle);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function failureOf(error: unknown, host: string): { message: string; fix: string } {
  if (error instanceof HopFailure) return { message: error.message, fix: error.fix };
  const failure = error instanceof NetworkFailure ? error : classifyNetworkError(error, host);
  return { message: failure.message, fix: failure.fix };
}

export async function runConnectionTest(options: DiagnoseOptions): Promise<ConnectionReport> {
  const { clock, network } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = new URL(options.url);
  const secure = target.protocol === 'https:';
  const port = target.port ? Number(target.port) : secure ? 443 : 80;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const hops: HopResult[] = [];
  let failedAt: HopId | null = null;
  let client: SupabaseClient | null = null;
  let choice: ProxyChoice | null = null;
  let proxyError: unknown = null;
  let proxyMs = 0;

  const run = async (id: HopId, step: () => Promise<string | Skip>): Promise<void> => {
    if (failedAt) {
      hops.push({ id, label: HOP_LABELS[id], status: 'skipped', ms: null, detail: 'Not tried: an earlier step failed.' });
      return;
    }
    const started = clock.now();
    try {
      const result = await withTimeout(clock, timeoutMs, step(), HOP_LABELS[id]);
      const ms = clock.now() - started;
      if (result instanceof Skip) hops.push({ id, label: HOP_LABELS[id], status: 'skipped', ms: null, detail: result.detail });
      else hops.push({ id, label: HOP_LABELS[id], status: 'ok', ms, detail: result });
    } catch (error) {
      const { message, fix } = failureOf(error, `${host}:${port}`);
      failedAt = id;
      hops.push({ id, label: HOP_LABELS[id], status: 'failed', ms: clock.now() - started, detail: message, fix });
    }
  };

  // The proxy is decided first (name resolution depends on it) and reported second.
  const decidedAt = clock.now();
  try {
    choice = firstChoice(await network.platform.resolveProxy(`${target.protocol}//${target.host}/`));
  } catch (error) {
    proxyError = error;
  }
  proxyMs = clock.now() - decidedAt;

  await run('name-resolution', async () => {
    if (choice?.kind === 'proxy') {
      const proxyHost = choice.host;
      if (isIP(proxyHost)) return `${host} is resolved by the proxy; the proxy is at ${proxyHost}.`;
      const addresses = await network.platform.lookup(proxyHost).catch((error: unknown) => {
        throw new HopFailure(`The proxy's name ${proxyHost} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, 'Check the proxy settings (system, PAC file or ProxyServer policy) and the DNS of this network.');
      });
      return `${host} is resolved by the proxy; ${proxyHost} → ${addresses.join(', ')}.`;
    }
    if (isIP(host)) return `${host} is an address; nothing to resolve.`;
    const addresses = await network.platform.lookup(host).catch((error: unknown) => {
      throw new HopFailure(`${host} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, 'Check the Supabase URL; on a network that reaches the internet only through a proxy, check the proxy settings (Beacon goes direct).');
    });
    return `${host} → ${addresses.join(', ')}.`;
  });

  if (!failedAt) {
    if (proxyError || !choice) {
      failedAt = 'proxy';
      hops.push({
        id: 'proxy',
        label: HOP_LABELS.proxy,
        status: 'failed',
        ms: proxyMs,
        detail: `The proxy for ${target.host} could not be determined (${proxyError instanceof Error ? proxyError.message : String(proxyError)}).`,
        fix: 'Check that the PAC file (system settings or the ProxyPacUrl policy) can be downloaded and is valid.',
      });
    } else {
      hops.push({ id: 'proxy', label: HOP_LABELS.proxy, status: 'ok', ms: proxyMs, detail: `${describeChoice(choice)}, from ${network.platform.proxySource()}.` });
    }
  } else {
    hops.push({ id: 'proxy', label: HOP_LABELS.proxy, status: 'skipped', ms: null, detail: 'Not tried: an earlier step failed.' });
  }

  await run('tls', async () => {
    if (!secure) {
      const { socket } = await network.tunnel.open({ host, port, secure: false });
      socket.destroy();
      return new Skip(`Plain http to ${target.host} (a local stack): no TLS. Connected.`);
    }
    const { socket, presented } = await network.tunnel.open({ host, port, secure: true });
    socket.destroy();
    const extra = network.extraRootCount > 0 ? `; trusting the system store, the bundled roots and ${network.extraRootCount} from the CA bundle` : '; trusting the system store and the bundled roots';
    return `Certificate for ${presented?.subject ?? host}, issued by ${presented?.issuer ?? 'unknown'}, valid until ${presented?.validTo ?? 'unknown'}${extra}.`;
  });

  await run('api-key', async () => {
    const response = await network.fetch(`${options.url}/auth/v1/settings`, { headers: { apikey: options.anonKey } });
    await response.body?.cancel();
    if (response.ok) return `The project accepted the API key (HTTP ${response.status}).`;
    if (response.status === 401 || response.status === 403) throw new HopFailure(`The project refused the API key (HTTP ${response.status}).`, 'Check SupabaseAnonKey (policy or settings): it must be this project\'s anon or publishable key.');
    throw new HopFailure(`The project answered HTTP ${response.status} to /auth/v1/settings.`, response.status === 404 ? 'Check the Supabase URL: it must be the project URL, without a path.' : 'The project or something in between (a proxy) failed; try again later or tell IT.');
  });

  const heartbeat = new HeartbeatWatch();
  const created = createClient(options.url, options.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // With the app's session, REST runs as the signed-in user (the test's client has no session of its own).
    global: { fetch: network.fetch, ...(options.auth?.kind === 'access-token' ? { headers: { Authorization: `Bearer ${options.auth.accessToken}` } } : {}) },
    realtime: {
      transport: network.WebSocket as unknown as WebSocketLikeConstructor,
      worker: false,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      heartbeatCallback: (status, latency) => heartbeat.report(status, latency),
    },
  });
  client = created;

  await run('sign-in', async () => {
    const auth = options.auth;
    if (!auth) return new Skip('Not signed in: REST and Realtime are tested with the API key only.');
    if (auth.kind === 'access-token') {
      const { data, error } = await created.auth.getUser(auth.accessToken);
      if (error || !data.user) throw new HopFailure(`The project did not accept the current session (${error?.message ?? 'no user'}).`, 'Sign out and sign in again.');
      await created.realtime.setAuth(auth.accessToken);
      return `The current session is valid (${data.user.email ?? data.user.id}).`;
    }
    const { data, error } = await created.auth.signInWithPassword({ email: auth.email, password: auth.password });
    if (error) {
      if (error.status === 400 || error.code === 'invalid_credentials') throw new HopFailure(`Sign-in refused: ${error.message}.`, 'Check the email address and password.');
      const failure = network.lastFailure();
      if (failure) throw failure;
      throw new HopFailure(`Sign-in failed: ${error.message}.`, 'Try again; if it persists, tell IT.');
    }
    return `Signed in as ${data.user?.email ?? auth.email}.`;
  });

  await run('rest', async () => {
    const { error, status } = await created.from('agent_tasks').select('id').limit(1);
    if (error) {
      const failure = network.lastFailure();
      if (status === 0 && failure) throw failure;
      throw new HopFailure(`The REST call failed (HTTP ${status}: ${error.message}).`, 'Check that the project has Beacon\'s schema (agent_tasks); tell IT.');
    }
    return `GET /rest/v1/agent_tasks answered HTTP ${status}.`;
  });

  await run('realtime-join', () => {
    return new Promise<string>((resolve, reject) => {
      created.channel(`beacon-diagnose-${Math.random().toString(36).slice(2, 10)}`).subscribe((state, error) => {
        if (state === 'SUBSCRIBED') resolve('Joined a Realtime channel over the WebSocket.');
        else if (state === 'CHANNEL_ERROR' || state === 'TIMED_OUT' || state === 'CLOSED') {
          const failure = network.lastFailure();
          if (failure) reject(failure);
          else reject(new HopFailure(`The Realtime join failed (${state}${error ? `: ${error.message}` : ''}).`, `Allow WebSocket connections (wss) to ${target.host}/realtime/v1/websocket through the firewall and proxy.`));
        }
      });
    });
  });

  await run('heartbeat', async () => {
    const latency = await heartbeat.firstOk();
    return `The server answered a heartbeat${latency !== undefined ? ` in ${Math.round(latency)} ms` : ''}.`;
  });

  try {
    await client.removeAllChannels();
    await client.realtime.disconnect();
    if (options.auth?.kind === 'password') await client.auth.signOut({ scope: 'local' });
  } catch {
    // Cleaning up the test's own client; nothing to report.
  }
  return { url: options.url, ok: failedAt === null, failedAt, hops };
}

class HeartbeatWatch {
  private resolveOk: ((latency: number | undefined) => void) | null = null;
  private rejectOk: ((error: Error) => void) | null = null;
  private seen: { ok: boolean; latency: number | undefined } | null = null;

  report(status: string, latency: number | undefined): void {
    if (status === 'ok') {
      this.seen ??= { ok: true, latency };
      this.resolveOk?.(latency);
    } else if (status === 'timeout' || status === 'error') {
      this.rejectOk?.(new HopFailure(`The server did not answer a heartbeat (${status}).`, 'Something between Beacon and the project (a proxy or firewall) stops WebSocket traffic after the connection opens; allow long-lived WebSocket connections.'));
    }
  }

  firstOk(): Promise<number | undefined> {
    if (this.seen) return Promise.resolve(this.seen.latency);
    return new Promise((resolve, reject) => {
      this.resolveOk = resolve;
      this.rejectOk = reject;
    });
  }
}
