/**
 * One TCP/TLS connection to a Supabase host, through the proxy the platform
 * chooses for it: direct, or an HTTP CONNECT tunnel (https-proxy-agent) with
 * Basic proxy authentication when the proxy asks for it. TLS is Beacon's own
 * (the roots from trust.ts, never unverified), so a certificate failure can be
 * reported with what the server presented. The Realtime WebSocket uses this in
 * the app and in the headless runner; the headless runner's REST calls too.
 */
import { EventEmitter } from 'node:events';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { ClientRequest } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { firstChoice, type ProxyChoice } from './proxy-decision.ts';
import { CertificateError, certificateProblem, describePeer, type PresentedCertificate } from './trust.ts';

export interface ProxyCredentials {
  readonly username: string;
  readonly password: string;
}

export type ProxyServer = Extract<ProxyChoice, { kind: 'proxy' }>;

export interface TunnelDeps {
  /** The platform's answer for a URL, PAC style ("PROXY host:port; DIRECT"). */
  resolveProxy(url: string): Promise<string>;
  /** Roots for Beacon's own TLS (PEM). */
  trustedRoots(): readonly string[];
  /** Credentials for a proxy that answered 407; null when none are known (the tunnel then fails with "proxy-auth"). */
  proxyCredentials?(proxy: ProxyServer, schemes: readonly string[]): Promise<ProxyCredentials | null>;
  /** Default 15 s. */
  readonly connectTimeoutMs?: number;
}

export interface TunnelTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly servername?: string | undefined;
}

export interface OpenedConnection {
  readonly socket: Socket | TLSSocket;
  readonly choice: ProxyChoice;
  /** The certificate the server presented (secure targets). */
  readonly presented: PresentedCertificate | null;
}

export type ProxyErrorKind = 'auth-required' | 'auth-refused' | 'refused' | 'unreachable';

/** The proxy would not open the tunnel. */
export class ProxyError extends Error {
  readonly kind: ProxyErrorKind;
  readonly proxy: ProxyServer;
  readonly status: number | null;
  /** Schemes the proxy offered in Proxy-Authenticate (Basic, Negotiate, NTLM…). */
  readonly schemes: readonly string[];
  constructor(kind: ProxyErrorKind, proxy: ProxyServer, status: number | null, schemes: readonly string[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProxyError';
    this.kind = kind;
    this.proxy = proxy;
    this.status = status;
    this.schemes = schemes;
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** `wss://h/x` → `https://h/x` (PAC scripts and resolveProxy are asked about the http scheme). */
export function proxyQueryUrl(target: TunnelTarget): string {
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  return `${target.secure ? 'https' : 'http'}://${host}:${target.port}/`;
}

export class Tunnel {
  private readonly deps: TunnelDeps;
  /** Credentials that worked (or were given) per proxy, so only the first tunnel asks. */
  private readonly credentials = new Map<string, ProxyCredentials>();

  constructor(deps: TunnelDeps) {
    this.deps = deps;
  }

  async open(target: TunnelTarget): Promise<OpenedConnection> {
    const choice = firstChoice(await this.deps.resolveProxy(proxyQueryUrl(target)));
    const raw = choice.kind === 'direct' ? await this.direct(target) : await this.throughProxy(target, choice);
    if (!target.secure) return { socket: raw, choice, presented: null };
    const { socket, presented } = await this.secure(raw, target);
    return { socket, choice, presented };
  }

  private timeout(): number {
    return this.deps.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private direct(target: TunnelTarget): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: target.host, port: target.port });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connecting to ${target.host}:${target.port} timed out`), { code: 'ETIMEDOUT' })), this.timeout());
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private async throughProxy(target: TunnelTarget, proxy: ProxyServer): Promise<Socket> {
    const known = this.credentials.get(proxy.url) ?? null;
    const first = await this.connectOnce(target, proxy, known);
    if (first.socket) return first.socket;
    if (first.status !== 407) throw new ProxyError('refused', proxy, first.status, [], `The proxy ${proxy.host}:${proxy.port} refused to connect to ${target.host}:${target.port} (HTTP ${first.status}).`);
    const schemes = first.schemes;
    if (known) {
      this.credentials.delete(proxy.url);
      throw new ProxyError('auth-refused', proxy, 407, schemes, `The proxy ${proxy.host}:${proxy.port} refused Beacon's proxy sign-in (user "${known.username}").`);
    }
    const offered = schemes.map((s) => s.toLowerCase());
    const asked = offered.includes('basic') ? await this.deps.proxyCredentials?.(proxy, schemes) : null;
    if (!asked) {
      const how = schemes.length > 0 ? schemes.join(', ') : 'an unknown scheme';
      const why = offered.includes('basic') ? 'and Beacon has no proxy credentials' : 'in a way Beacon\'s live connection does not support (only Basic)';
      throw new ProxyError('auth-required', proxy, 407, schemes, `The proxy ${proxy.host}:${proxy.port} asks for a sign-in (${how}) ${why}.`);
    }
    const second = await this.connectOnce(target, proxy, asked);
    if (second.socket) {
      this.credentials.set(proxy.url, asked);
      return second.socket;
    }
    if (second.status === 407) throw new ProxyError('auth-refused', proxy, 407, second.schemes, `The proxy ${proxy.host}:${proxy.port} refused Beacon's proxy sign-in (user "${asked.username}").`);
    throw new ProxyError('refused', proxy, second.status, [], `The proxy ${proxy.host}:${proxy.port} refused to connect to ${target.host}:${target.port} (HTTP ${second.status}).`);
  }

  /** One CONNECT. Resolves with the tunnel, or with the proxy's status when it said no. */
  private async connectOnce(
    target: TunnelTarget,
    proxy: ProxyServer,
    credentials: ProxyCredentials | null,
  ): Promise<{ socket: Socket | null; status: number; schemes: string[] }> {
    const headers: Record<string, string> = {};
    if (credentials) headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    // ca: for an https:// proxy, its own certificate is checked against the same roots.
    const agent = new HttpsProxyAgent(proxy.url, { headers, ca: [...this.deps.trustedRoots()], timeout: this.timeout() });
    let status = 0;
    let schemes: string[] = [];
    agent.once('proxyConnect', (connect: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      status = connect.statusCode;
      const offered = connect.headers['proxy-authenticate'];
      schemes = (Array.isArray(offered) ? offered : offered ? [offered] : []).map((value) => value.trim().split(/\s+/)[0] ?? '').filter(Boolean);
    });
    // https-proxy-agent talks to node:http's request object only through events; a bare emitter stands in.
    const request = new EventEmitter() as unknown as ClientRequest;
    let socket: Socket;
    const pending = agent.connect(request, { host: target.host, port: target.port, secureEndpoint: false }) as Promise<Socket>;
    try {
      socket = await withTimeout(pending, this.timeout(), () => `the proxy ${proxy.host}:${proxy.port} did not answer`);
    } catch (error) {
      // A tunnel that opens after the timeout is closed at once.
      pending.then(
        (late) => late.destroy(),
        () => undefined,
      );
      throw new ProxyError('unreachable', proxy, null, [], `Cannot reach the proxy ${proxy.host}:${proxy.port} (${errorCode(error)}).`, { cause: error });
    }
    if (status !== 200) {
      socket.destroy();
      return { socket: null, status, schemes };
    }
    socket.resume();
    return { socket, status, schemes };
  }

  private secure(raw: Socket, target: TunnelTarget): Promise<{ socket: TLSSocket; presented: PresentedCertificate | null }> {
    const servername = target.servername ?? (isIP(target.host) === 0 ? target.host : undefined);
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ socket: raw, ca: [...this.deps.trustedRoots()], ALPNProtocols: ['http/1.1'], ...(servername ? { servername } : {}) });
      let presented: PresentedCertificate | null = null;
      // Node drops the peer certificate when it refuses it; read it just before, for the message.
      const destroy = socket.destroy.bind(socket);
      socket.destroy = (error?: Error) => {
        if (error && presented === null) {
          try {
            presented = describePeer(socket.getPeerCertificate(true) as DetailedPeerCertificate);
          } catch {
            presented = null;
          }
        }
        return destroy(error);
      };
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`TLS with ${target.host} timed out`), { code: 'ETIMEDOUT' })), this.timeout());
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        presented = describePeer(socket.getPeerCertificate(true) as DetailedPeerCertificate);
        resolve({ socket, presented });
      });
      const onError = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const problem = certificateProblem(error.code);
        reject(problem ? new CertificateError(target.host, error.code!, problem, presented, { cause: error }) : error);
      };
      socket.once('error', onError);
    });
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`${what()} within ${Math.round(ms / 1000)} s`), { code: 'ETIMEDOUT' })), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
