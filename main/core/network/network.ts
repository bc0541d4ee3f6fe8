/**
 * Beacon's network, put together from the platform port and IT's trust
 * settings: the fetch supabase-js uses (platform stack, or the tunnel), the
 * Realtime WebSocket class (always the tunnel: ws over CONNECT), and the last
 * failure in plain words for the sign-in form and the connection test.
 */
import type { Logger } from '../ports.ts';
import { classifyChromiumError, classifyNetworkError, NetworkFailure } from './failures.ts';
import type { NetworkPlatform } from './port.ts';
import { loadExtraBundle, trustedRoots } from './trust.ts';
import { Tunnel } from './tunnel.ts';
import { tunnelFetch } from './tunnel-fetch.ts';
import { tunnelWebSocket } from './websocket.ts';
import type { WebSocketConstructor } from '../session/instrumentation.ts';

export interface BeaconNetworkOptions {
  readonly platform: NetworkPlatform;
  /** ExtraCaBundle: a PEM file of extra roots. */
  readonly extraCaBundle?: string | undefined;
  readonly logger: Logger;
  readonly connectTimeoutMs?: number;
}

export class BeaconNetwork {
  readonly platform: NetworkPlatform;
  readonly tunnel: Tunnel;
  readonly fetch: typeof fetch;
  readonly WebSocket: WebSocketConstructor;
  /** Problems with IT's trust settings (an unreadable bundle…), in plain words. */
  readonly trustProblems: readonly string[];
  readonly roots: readonly string[];
  /** IT's extra roots (ExtraCaBundle), also part of `roots`. */
  readonly extraRoots: readonly string[];
  readonly extraRootCount: number;
  private failure: NetworkFailure | null = null;
  private readonly failureListeners = new Set<(failure: NetworkFailure | null) => void>();
  private readonly closeFetch: () => Promise<void>;

  private constructor(options: BeaconNetworkOptions, extra: readonly string[], problems: readonly string[]) {
    const { platform, logger } = options;
    this.platform = platform;
    this.trustProblems = problems;
    this.extraRoots = extra;
    this.extraRootCount = extra.length;
    this.roots = trustedRoots({ bundled: platform.bundledRoots(), system: platform.systemRoots(), extra });
    const roots = this.roots;
    this.tunnel = new Tunnel({
      resolveProxy: (url) => platform.resolveProxy(url),
      trustedRoots: () => roots,
      ...(platform.proxyCredentials ? { proxyCredentials: (proxy, schemes) => platform.proxyCredentials!(proxy, schemes) } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    });
    const record = (failure: NetworkFailure) => {
      const changed = this.failure?.message !== failure.message;
      this.failure = failure;
      if (changed) {
        logger.warn('network: connection failed', { kind: failure.kind, message: failure.message });
        for (const listener of this.failureListeners) listener(failure);
      }
    };
    if (platform.fetch) {
      const platformFetch = platform.fetch;
      this.fetch = async (input, init) => {
        try {
          const response = await platformFetch(input, init);
          this.cleared();
          return response;
        } catch (error) {
          if ((error as Error).name === 'AbortError') throw error;
          const host = new URL(input instanceof Request ? input.url : String(input)).host;
          const failure = classifyChromiumError(error instanceof Error ? error.message : String(error), host, platform.presentedCertificate?.(host) ?? null) ?? classifyNetworkError(error, host);
          record(failure);
          throw failure;
        }
      };
      this.closeFetch = () => Promise.resolve();
    } else {
      const own = tunnelFetch(this.tunnel, record);
      this.fetch = async (input, init) => {
        const response = await own.fetch(input, init);
        this.cleared();
        return response;
      };
      this.closeFetch = () => own.close();
    }
    this.WebSocket = tunnelWebSocket(this.tunnel, record);
  }

  static async create(options: BeaconNetworkOptions): Promise<BeaconNetwork> {
    const bundle = await loadExtraBundle(options.extraCaBundle, (path) => options.platform.readText(path));
    for (const problem of bundle.problems) options.logger.warn(`network: ${problem}`);
    if (bundle.certificates.length > 0) options.logger.info('network: trusting extra roots from the CA bundle', { path: options.extraCaBundle, count: bundle.certificates.length });
    return new BeaconNetwork(options, bundle.certificates, bundle.problems);
  }

  /** Called when a new kind of failure is seen, and with null once a request gets through again. */
  onFailureChange(listener: (failure: NetworkFailure | null) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  private cleared(): void {
    if (this.failure === null) return;
    this.failure = null;
    for (const listener of this.failureListeners) listener(null);
  }

  /** The last connection failure since the last success, or null. */
  lastFailure(): NetworkFailure | null {
    return this.failure;
  }

  /** For the sign-in form: what went wrong, when it was the network. */
  problemMessage(): string | null {
    return this.failure ? `${this.failure.message} ${this.failure.fix}` : null;
  }

  close(): Promise<void> {
    return this.closeFetch();
  }
}
