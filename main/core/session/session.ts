/**
 * The Supabase session, and the one supabase-js client Beacon uses.
 *
 * - Sign in with email and password, sign out, automatic refresh (supabase-js's
 *   own ticker), restore on start from the SecretStore (supabase-js's
 *   `auth.storage`). Tokens stay in this process: the public state is
 *   `{signedIn, email, displayName}`.
 * - A refresh the server refuses (revoked, already used, session gone) ends in
 *   `signed-out` with the reason. supabase-js would keep such a session while
 *   its access token is still valid and hand realtime the API key once it is
 *   not; the refusal is seen on the wire (instrumentation.ts) and the session
 *   is ended at once instead.
 * - Realtime runs in the main process: WebSocket constructor passed in,
 *   `worker: false`, logger and heartbeat callback wired to the ports, and a
 *   short heartbeat (DEFAULT_HEARTBEAT_INTERVAL_MS) so a dead link is noticed
 *   in seconds.
 */
import { createClient, isAuthRetryableFetchError, type AuthChangeEvent, type Session as AuthSession, type SupabaseClient } from '@supabase/supabase-js';
import { silentLogger, type Logger, type SecretStore } from '../ports.ts';
import { describeRefusal, describeSignInError, STORAGE_FAILURE, type SignInFailure } from './auth-messages.ts';
import { countingFetch, countingWebSocket, newCounters, type NetworkCounters, type RefreshRefusal, type WebSocketConstructor } from './instrumentation.ts';
import { secretStoreStorage } from './secret-storage.ts';
import { Emitter } from '../events/emitter.ts';

/**
 * Realtime heartbeat interval. realtime-js notices a dead link when a heartbeat
 * goes unanswered for one interval, and sends one an interval after the last
 * answer: detection takes up to 2 intervals. Beacon must fall back to polling
 * within 10 s of losing realtime (including when replies silently stop), so
 * 2 × 4 s = 8 s leaves 2 s for the switch. The cost is one tiny frame each
 * way every 4 s (the default 25 s would take up to 50 s to notice).
 */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 4_000;

export interface PublicSessionState {
  readonly signedIn: boolean;
  readonly email: string | null;
  readonly displayName: string | null;
}

export type SessionEvent =
  | { readonly type: 'signed-in'; readonly userId: string; readonly email: string | null }
  /** `reason` in plain words: "Signed out.", or why the session ended. */
  | { readonly type: 'signed-out'; readonly reason: string }
  | { readonly type: 'token-refreshed' };

export type HeartbeatStatus = 'sent' | 'ok' | 'error' | 'timeout' | (string & {});

export type SignInResult = { readonly ok: true; readonly state: PublicSessionState } | ({ readonly ok: false } & SignInFailure);

export type RefreshResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: 'refused' | 'network' | 'server' | 'no-session'; readonly message: string };

export type SessionStats = Readonly<NetworkCounters>;

export interface SessionOptions {
  readonly url: string;
  readonly anonKey: string;
  readonly secretStore: SecretStore;
  /** WebSocket constructor for realtime: Node's global `WebSocket`, or `ws`. Always passed explicitly. */
  readonly WebSocket: WebSocketConstructor;
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
  readonly heartbeatIntervalMs?: number;
  /** Push/join timeout of realtime-js (default 10 s). */
  readonly realtimeTimeoutMs?: number;
  /** Delay before realtime-js's reconnect attempt `tries` (1-based); default realtime-js's own 1/2/5/10 s. */
  readonly reconnectAfterMs?: (tries: number) => number;
  /** Key of the session in the SecretStore. */
  readonly storageKey?: string;
  /** Why the network failed, in plain words (main/core/network), shown instead of a bare "cannot reach the server". */
  readonly networkProblem?: () => string | null;
}

const SIGNED_OUT: PublicSessionState = { signedIn: false, email: null, displayName: null };
const USER_SIGNED_OUT = 'Signed out.';

type SessionEvents = {
  event: [event: SessionEvent];
  state: [state: PublicSessionState];
  heartbeat: [status: HeartbeatStatus, latencyMs: number | undefined];
};

export class Session {
  readonly client: SupabaseClient;
  readonly heartbeatIntervalMs: number;
  private readonly logger: Logger;
  private readonly networkProblem: () => string | null;
  private readonly counters: NetworkCounters = newCounters();
  private readonly events = new Emitter<SessionEvents>((event, error) =>
    this.logger.error('session listener failed', { event: String(event), error: error instanceof Error ? error.message : String(error) }),
  );
  private readonly unsubscribeAuth: () => void;
  private publicState: PublicSessionState = SIGNED_OUT;
  private currentUserId: string | null = null;
  private pendingSignOutReason: string | null = null;
  private refreshing: Promise<RefreshResult> | null = null;
  private stopped = false;

  constructor(options: SessionOptions) {
    this.logger = options.logger ?? silentLogger;
    this.networkProblem = options.networkProblem ?? (() => null);
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.client = createClient(options.url, options.anonKey, {
      auth: {
        storage: secretStoreStorage(options.secretStore, this.logger),
        storageKey: options.storageKey ?? 'beacon.supabase.session',
        persistSession: true,
        autoRefreshToken: true,
        detectSessionInUrl: false,
      },
      global: { fetch: countingFetch(baseFetch, this.counters, (refusal) => this.onRefreshRefused(refusal)) },
      realtime: {
        transport: countingWebSocket(options.WebSocket, this.counters),
        worker: false,
        heartbeatIntervalMs: this.heartbeatIntervalMs,
        heartbeatCallback: (status, latency) => {
          this.events.emit('heartbeat', status, latency);
        },
        logger: (kind, message, data) => this.logRealtime(kind, message, data),
        ...(options.realtimeTimeoutMs ? { timeout: options.realtimeTimeoutMs } : {}),
        ...(options.reconnectAfterMs ? { reconnectAfterMs: options.reconnectAfterMs } : {}),
      },
    });
    const { data } = this.client.auth.onAuthStateChange((event, session) => this.onAuthEvent(event, session));
    this.unsubscribeAuth = () => data.subscription.unsubscribe();
  }

  /** Restores a stored session (refreshing it when close to expiry). Resolves with the public state. */
  async start(): Promise<PublicSessionState> {
    await this.client.auth.getSession();
    return this.publicState;
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    if (email.trim() === '' || password === '') return { ok: false, kind: 'invalid-input', message: 'Enter an email address and a password.' };
    if (this.publicState.signedIn) await this.signOut();
    let error: unknown;
    try {
      ({ error } = await this.client.auth.signInWithPassword({ email: email.trim(), password }));
    } catch (thrown) {
      this.logger.error('sign-in could not store the session', { error: thrown instanceof Error ? thrown.message : String(thrown) });
      return { ok: false, ...STORAGE_FAILURE };
    }
    if (error) {
      const described = describeSignInError(error);
      const problem = described.kind === 'network' ? this.networkProblem() : null;
      const failure = problem ? { ...described, message: problem } : described;
      this.logger.info('sign-in failed', { kind: failure.kind });
      return { ok: false, ...failure };
    }
    return { ok: true, state: this.publicState };
  }

  /** Ends the session on this device (the server revokes its refresh token when reachable). */
  async signOut(): Promise<void> {
    await this.endSession(USER_SIGNED_OUT);
  }

  /**
   * Refreshes the access token now (after "token expired" from realtime or a
   * 401 from REST). Concurrent calls share one refresh.
   */
  refresh(): Promise<RefreshResult> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  state(): PublicSessionState {
    return this.publicState;
  }

  userId(): string | null {
    return this.currentUserId;
  }

  /** The display name comes from the agent's profile row, which the sync engine reads anyway. */
  noteProfile(profile: { readonly displayName: string | null } | null): void {
    if (!this.publicState.signedIn || !profile) return;
    if (profile.displayName === this.publicState.displayName) return;
    this.setState({ ...this.publicState, displayName: profile.displayName });
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    return this.events.on('event', listener);
  }

  onState(listener: (state: PublicSessionState) => void): () => void {
    return this.events.on('state', listener);
  }

  onHeartbeat(listener: (status: HeartbeatStatus, latencyMs: number | undefined) => void): () => void {
    return this.events.on('heartbeat', listener);
  }

  stats(): SessionStats {
    return { ...this.counters };
  }

  /** Stops background work (refresh ticker, realtime socket). The stored session stays for the next start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribeAuth();
    await this.client.auth.stopAutoRefresh();
    await this.client.removeAllChannels();
    await this.client.realtime.disconnect();
    this.events.clear();
  }

  private async doRefresh(): Promise<RefreshResult> {
    if (!this.currentUserId) return { ok: false, kind: 'no-session', message: 'not signed in' };
    const { error } = await this.client.auth.refreshSession();
    if (!error) return { ok: true };
    if (isAuthRetryableFetchError(error)) {
      const server = (error.status ?? 0) >= 500;
      return { ok: false, kind: server ? 'server' : 'network', message: server ? 'the server could not refresh the session' : 'cannot reach the server' };
    }
    if (error.name === 'AuthSessionMissingError') return { ok: false, kind: 'no-session', message: 'not signed in' };
    // A refusal by the server has already been seen on the wire and is ending the session.
    return { ok: false, kind: 'refused', message: error.message };
  }

  private onRefreshRefused(refusal: RefreshRefusal): void {
    if (this.stopped) return;
    const reason = describeRefusal(refusal);
    this.logger.warn('the server refused to refresh the session', { status: refusal.status, code: refusal.code });
    // supabase-js keeps a refused session while its access token is valid; end it now.
    void this.endSession(reason);
  }

  private async endSession(reason: string): Promise<void> {
    this.pendingSignOutReason ??= reason;
    try {
      const { error } = await this.client.auth.signOut({ scope: 'local' });
      if (error) this.logger.debug('sign-out request answered with an error (the local session is gone anyway)', { error: error.message });
    } catch (error) {
      this.logger.warn('sign-out failed', { error: error instanceof Error ? error.message : String(error) });
    }
    // The SIGNED_OUT event (fired inside signOut) has consumed it, or the sign-out failed.
    this.pendingSignOutReason = null;
  }

  private onAuthEvent(event: AuthChangeEvent, session: AuthSession | null): void {
    if (this.stopped) return;
    if (event === 'SIGNED_OUT' || ((event === 'INITIAL_SESSION' || event === 'SIGNED_IN') && !session)) {
      const wasSignedIn = this.currentUserId !== null;
      const explained = this.pendingSignOutReason !== null;
      const reason = this.pendingSignOutReason ?? USER_SIGNED_OUT;
      this.pendingSignOutReason = null;
      this.currentUserId = null;
      this.setState(SIGNED_OUT);
      // A stored session refused while restoring was never "signed in", but its end still has a reason to show.
      if (wasSignedIn || (explained && reason !== USER_SIGNED_OUT)) {
        this.logger.info('session ended', { reason });
        this.emit({ type: 'signed-out', reason });
      }
      return;
    }
    if (!session) return;
    if (event === 'INITIAL_SESSION' || event === 'SIGNED_IN') {
      if (this.currentUserId === session.user.id) return;
      this.currentUserId = session.user.id;
      const email = session.user.email ?? null;
      const metadata = session.user.user_metadata as Record<string, unknown> | undefined;
      const displayName = typeof metadata?.display_name === 'string' ? metadata.display_name : typeof metadata?.full_name === 'string' ? metadata.full_name : null;
      this.setState({ signedIn: true, email, displayName });
      this.logger.info(event === 'INITIAL_SESSION' ? 'session restored' : 'signed in', { userId: session.user.id });
      this.emit({ type: 'signed-in', userId: session.user.id, email });
      return;
    }
    if (event === 'TOKEN_REFRESHED') {
      this.logger.debug('access token refreshed');
      this.emit({ type: 'token-refreshed' });
    }
  }

  private setState(next: PublicSessionState): void {
    const current = this.publicState;
    if (current.signedIn === next.signedIn && current.email === next.email && current.displayName === next.displayName) return;
    this.publicState = next;
    this.events.emit('state', next);
  }

  private emit(event: SessionEvent): void {
    this.events.emit('event', event);
  }

  private logRealtime(kind: string, message: string, data: unknown): void {
    // push/receive carry payloads (and join tokens): never logged.
    if (kind === 'push' || kind === 'receive') return;
    const detail = data instanceof Error ? data.message : typeof data === 'string' ? data : undefined;
    const fields = detail ? { kind, detail } : { kind };
    if (kind === 'error') this.logger.warn(`realtime: ${message}`, fields);
    else this.logger.debug(`realtime: ${message}`, fields);
  }
}
