/**
 * The sync engine: keeps one realtime channel per signed-in agent, turns what
 * arrives into validated changes and snapshots, and reports health.
 *
 * Realtime delivers at most once and replays nothing, so every moment the
 * stream may have had a gap is closed with a snapshot ("reconcile"):
 *   - after every SUBSCRIBED (it fires on each rejoin), once the server says
 *     postgres changes are subscribed (or after pgReadyTimeoutMs without that
 *     message), so the snapshot starts only when the stream already runs;
 *   - when the server says "Subscribed to PostgreSQL" again on a channel that
 *     stayed joined (it re-created the subscription: its change capture
 *     restarted, the publication changed, or the token was refreshed);
 *   - on resume(), unlock() and online(true);
 *   - after a payload had to be rejected.
 * While realtime is down the snapshot runs every 5 s ± jitter (polling) until
 * the channel is back and a reconcile succeeded; then polling stops. While
 * live the engine makes no REST calls and runs no timer faster than the
 * heartbeat (the watchdog's).
 *
 * Channel life: the user's token is set on realtime before subscribing. A
 * CHANNEL_ERROR / TIMED_OUT is retried by realtime-js itself (the token is
 * refreshed first when the error is about it). A CLOSED the engine did not ask
 * for (server phx_close, e.g. after "Token has expired") is final for that
 * channel object: the engine refreshes the session when needed, removes it
 * and creates a new one. There is never more than one channel.
 *
 * All timers go through the Clock port.
 */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Health } from '../domain/types.ts';
import { silentLogger, systemClock, type Clock, type Logger } from '../ports.ts';
import { parseChange, type RowChange } from '../payloads/change.ts';
import { parseSnapshot, type Snapshot } from '../payloads/snapshot.ts';
import type { Rejection } from '../payloads/rejection.ts';
import type { HeartbeatStatus, RefreshResult, SessionEvent, SessionStats } from '../session/session.ts';
import { changeBindings, channelTopic, isTokenProblem } from './beacon-channel.ts';
import { HealthTracker, INITIAL_FACTS, type HealthCode, type HealthFacts, type HealthReport } from './health.ts';
import { PollingScheduler } from './polling.ts';
import { callSnapshotRpc, cursorsWithMargin, type SnapshotCursors } from './snapshot-rpc.ts';
import { SnapshotQueue } from './snapshot-queue.ts';
import { HeartbeatWatchdog, type StallReason } from './watchdog.ts';
import { Emitter } from '../events/emitter.ts';

export type { SnapshotCursors } from './snapshot-rpc.ts';

/** What the engine needs from the session (Session implements it). */
export interface EngineSession {
  readonly client: SupabaseClient;
  readonly heartbeatIntervalMs: number;
  userId(): string | null;
  onEvent(listener: (event: SessionEvent) => void): () => void;
  onHeartbeat(listener: (status: HeartbeatStatus, latencyMs: number | undefined) => void): () => void;
  refresh(): Promise<RefreshResult>;
  noteProfile(profile: { readonly displayName: string | null } | null): void;
  stats(): SessionStats;
}

export type SnapshotReason = 'subscribed' | 'postgres-ready' | 'poll' | 'resume' | 'unlock' | 'online' | 'rejected-change' | 'requested';

export interface HealthInfo {
  readonly reason: string;
  readonly code: HealthCode;
  readonly lastSyncAt: number | null;
}

export interface EngineStats {
  /** Channels on the supabase-js client right now. */
  readonly channels: number;
  /** WebSockets open right now, and created in total. */
  readonly sockets: number;
  readonly socketsOpened: number;
  /** Sockets opened after the first: realtime-js reconnects and forced ones. */
  readonly reconnects: number;
  readonly forcedReconnects: number;
  readonly channelsCreated: number;
  readonly subscribed: number;
  /** HTTP requests made by the client: REST (/rest/v1) and auth (/auth/v1). */
  readonly restCalls: number;
  readonly authCalls: number;
  readonly snapshots: number;
  readonly snapshotFailures: number;
  readonly changes: number;
  readonly rejected: number;
}

export interface SyncEngineOptions {
  readonly session: EngineSession;
  /** The core's cursors for the snapshot RPC, read before each call. */
  readonly cursors: () => SnapshotCursors;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
  /** Polling fallback: every pollIntervalMs ± pollJitterMs (default 5000 ± 1000). */
  readonly pollIntervalMs?: number;
  readonly pollJitterMs?: number;
  /** Re-read this much before each cursor (default 60 s; see cursorsWithMargin). */
  readonly cursorMarginMs?: number;
  /** `changes_limit` of the RPC (default 200). */
  readonly changesLimit?: number;
  /** A snapshot call gives up after this (default 15 s). */
  readonly snapshotTimeoutMs?: number;
  /** How long to wait after SUBSCRIBED for "Subscribed to PostgreSQL" before reconciling anyway (default 3 s). */
  readonly pgReadyTimeoutMs?: number;
  /** Delays before recreating a channel the server closed, by attempt (default 0, 1, 2, 5, 10 s). */
  readonly channelRetryDelaysMs?: readonly number[];
  readonly maxRecordBytes?: number;
}

type EngineEvents = {
  snapshot: [snapshot: Snapshot, reason: SnapshotReason, requestedAt: number];
  change: [change: RowChange];
  health: [state: Health, info: HealthInfo];
  rejection: [rejection: Rejection, source: 'change' | 'snapshot'];
};

const DEFAULT_RETRY_DELAYS = [0, 1_000, 2_000, 5_000, 10_000];
const REASON_PRIORITY: Readonly<Record<SnapshotReason, number>> = {
  poll: 0,
  requested: 1,
  'rejected-change': 2,
  unlock: 3,
  online: 3,
  resume: 3,
  'postgres-ready': 4,
  subscribed: 5,
};

export class SyncEngine {
  private readonly session: EngineSession;
  private readonly client: SupabaseClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly options: SyncEngineOptions;
  private readonly health: HealthTracker;
  private readonly poller: PollingScheduler;
  private readonly watchdog: HeartbeatWatchdog;

  private readonly events = new Emitter<EngineEvents>((event, error) => this.logger.error(`${String(event)} listener failed`, { error: describe(error) }));
  private unsubscribers: Array<() => void> = [];

  private started = false;
  private stopped = false;
  private suspended = false;
  private osOnline = true;
  /** Bumped at each connect and teardown: work begun under an older epoch is dropped. */
  private epoch = 0;
  private userId: string | null = null;

  private channel: RealtimeChannel | null = null;
  private readonly closingByUs = new WeakSet<RealtimeChannel>();
  private joined = false;
  private pgReady = false;
  /** Counts SUBSCRIBEDs, so a snapshot knows whether it started after the current join. */
  private joinSeq = 0;
  private pgReadyTimer: unknown = undefined;
  /** This join's reconcile ran without the server's "Subscribed to PostgreSQL": run another when it comes. */
  private pgReadyGuessed = false;
  private lastSystemError: string | null = null;
  private tokenSuspect = false;
  private recreateTimer: unknown = undefined;
  private recreateAttempt = 0;
  private reconnectTimer: unknown = undefined;
  private reconnecting: Promise<void> | null = null;

  private readonly snapshots: SnapshotQueue<SnapshotReason>;
  private snapshotAbort: AbortController | null = null;

  private readonly counts = { forcedReconnects: 0, channelsCreated: 0, subscribed: 0, snapshots: 0, snapshotFailures: 0, changes: 0, rejected: 0 };

  constructor(options: SyncEngineOptions) {
    this.options = options;
    this.session = options.session;
    this.client = options.session.client;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.health = new HealthTracker(this.clock, (report) => this.onHealthReport(report));
    this.snapshots = new SnapshotQueue((reason) => this.runSnapshot(reason), REASON_PRIORITY);
    this.poller = new PollingScheduler({
      clock: this.clock,
      intervalMs: options.pollIntervalMs ?? 5_000,
      jitterMs: options.pollJitterMs ?? 1_000,
      ...(options.random ? { random: options.random } : {}),
      run: () => this.requestSnapshot('poll'),
    });
    this.watchdog = new HeartbeatWatchdog({
      clock: this.clock,
      heartbeatIntervalMs: options.session.heartbeatIntervalMs,
      onStall: (reason) => this.onStall(reason),
    });
  }

  // ---- events out --------------------------------------------------------------------------

  /** `requestedAt`: the local clock when the RPC was sent (rows absent from the snapshot were gone by then). */
  onSnapshot(listener: (snapshot: Snapshot, reason: SnapshotReason, requestedAt: number) => void): () => void {
    return this.events.on('snapshot', listener);
  }

  onChange(listener: (change: RowChange) => void): () => void {
    return this.events.on('change', listener);
  }

  onHealth(listener: (state: Health, info: HealthInfo) => void): () => void {
    return this.events.on('health', listener);
  }

  /** Every payload or snapshot that failed validation (already logged; a refetch is under way). */
  onRejected(listener: (rejection: Rejection, source: 'change' | 'snapshot') => void): () => void {
    return this.events.on('rejection', listener);
  }

  healthReport(): HealthReport {
    return this.health.report();
  }

  stats(): EngineStats {
    const net = this.session.stats();
    return {
      channels: this.client.getChannels().length,
      sockets: net.socketsOpen,
      socketsOpened: net.socketsOpened,
      reconnects: Math.max(0, net.socketsOpened - 1),
      forcedReconnects: this.counts.forcedReconnects,
      channelsCreated: this.counts.channelsCreated,
      subscribed: this.counts.subscribed,
      restCalls: net.rest,
      authCalls: net.auth,
      snapshots: this.counts.snapshots,
      snapshotFailures: this.counts.snapshotFailures,
      changes: this.counts.changes,
      rejected: this.counts.rejected,
    };
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts following the session: connects now if signed in, and on every later sign-in. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribers = [
      this.session.onEvent((event) => this.onSessionEvent(event)),
      this.session.onHeartbeat((status) => this.watchdog.heartbeat(status)),
    ];
    const userId = this.session.userId();
    if (userId) this.connect(userId);
    else this.onHealthReport(this.health.report()); // signed-out is also the initial state: say it once
  }

  /** Stops everything: no channel, no socket, no timer is left behind. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    await this.teardown();
    await this.client.realtime.disconnect();
  }

  /** The system is going to sleep: stop expecting heartbeats and stop polling. */
  suspend(): void {
    if (this.suspended) return;
    this.suspended = true;
    this.watchdog.stop();
    this.clearReconnectTimer();
    this.syncPolling();
    this.logger.info('sync suspended');
  }

  /** Woke up: the socket is probably dead and changes were missed, so reconnect and reconcile. */
  resume(): void {
    const wasSuspended = this.suspended;
    this.suspended = false;
    if (!this.userId) return;
    this.logger.info('sync resumed', { wasSuspended });
    if (this.osOnline) this.watchdog.start();
    this.forceReconnect('resume');
    void this.requestSnapshot('resume');
    this.syncPolling();
  }

  /** The screen was unlocked: catch up. */
  unlock(): void {
    if (this.userId) void this.requestSnapshot('unlock');
  }

  /** The OS network state changed. */
  online(isOnline: boolean): void {
    const wasOnline = this.osOnline;
    this.osOnline = isOnline;
    if (!isOnline) {
      this.watchdog.stop();
      this.updateHealth({ osOnline: false });
      return;
    }
    this.updateHealth({ osOnline: true });
    if (!this.userId) return;
    if (!wasOnline) {
      if (!this.suspended) this.watchdog.start();
      this.forceReconnect('network back');
    }
    void this.requestSnapshot('online');
  }

  /**
   * Runs the snapshot RPC now (or right after the one in progress) and emits
   * it. Resolves true when a snapshot was emitted.
   */
  requestSnapshot(reason: SnapshotReason = 'requested'): Promise<boolean> {
    if (!this.userId || this.stopped) return Promise.resolve(false);
    return this.snapshots.request(reason);
  }

  // ---- session -----------------------------------------------------------------------------

  private onSessionEvent(event: SessionEvent): void {
    if (this.stopped) return;
    if (event.type === 'signed-in') {
      if (event.userId === this.userId) return;
      void this.teardown().then(() => {
        if (!this.stopped && this.session.userId() === event.userId) this.connect(event.userId);
      });
    } else if (event.type === 'signed-out') {
      this.logger.info('signed out: sync stops', { reason: event.reason });
      void this.teardown().then(() => this.client.realtime.disconnect());
      this.updateHealth({ signedIn: false, signedOutReason: event.reason });
    }
  }

  private connect(userId: string): void {
    const epoch = ++this.epoch;
    this.userId = userId;
    this.recreateAttempt = 0;
    // A new sign-in starts from scratch; only what the OS says about the network carries over.
    const { osOnline: _keep, ...fresh } = INITIAL_FACTS;
    this.updateHealth({ ...fresh, signedIn: true });
    if (this.osOnline && !this.suspended) this.watchdog.start();
    void this.openChannel(epoch);
  }

  /** Leaves the current user's channel and cancels everything that belongs to it. */
  private async teardown(): Promise<void> {
    this.epoch += 1;
    this.userId = null;
    this.poller.stop();
    this.watchdog.stop();
    this.clearTimer('pgReadyTimer');
    this.clearTimer('recreateTimer');
    this.clearReconnectTimer();
    this.joined = false;
    this.pgReady = false;
    this.snapshotAbort?.abort();
    const settled = this.snapshots.cancel();
    const channel = this.channel;
    this.channel = null;
    await this.removeOurChannels(channel);
    await settled;
    await this.reconnecting;
  }

  // ---- channel -----------------------------------------------------------------------------

  private async openChannel(epoch: number): Promise<void> {
    const userId = this.userId;
    if (!userId) return;
    // The token goes on realtime before the join is built, or the first join may go out with the API key.
    await this.client.realtime.setAuth();
    if (epoch !== this.epoch || this.stopped) return;
    // Never two channels: anything left on this topic (a closed channel not yet removed) goes first.
    await this.removeOurChannels(null);
    if (epoch !== this.epoch || this.stopped) return;

    const channel = this.client.channel(channelTopic(userId), { config: { private: false } });
    for (const binding of changeBindings(userId)) {
      channel.on('postgres_changes', binding, (payload: unknown) => this.onPostgresChange(channel, payload));
    }
    channel.on('system', {}, (payload: unknown) => this.onSystem(channel, payload));
    this.channel = channel;
    this.joined = false;
    this.pgReady = false;
    this.lastSystemError = null;
    this.counts.channelsCreated += 1;
    channel.subscribe((status, error) => this.onChannelStatus(channel, status, error));
  }

  private async removeOurChannels(channel: RealtimeChannel | null): Promise<void> {
    const ours = this.client.getChannels().filter((c) => c.topic.startsWith('realtime:beacon:'));
    const all = channel && !ours.includes(channel) ? [channel, ...ours] : ours;
    for (const c of all) {
      this.closingByUs.add(c);
      try {
        const result = await this.client.removeChannel(c);
        // removeChannel tears down only on 'ok'; a timed-out leave still must not leave timers behind.
        if (result !== 'ok') c.teardown();
      } catch (error) {
        this.logger.warn('removing a channel failed', { error: describe(error) });
        c.teardown();
      }
    }
  }

  private onChannelStatus(channel: RealtimeChannel, status: string, error: Error | undefined): void {
    if (channel !== this.channel || this.stopped) return;
    const epoch = this.epoch;
    switch (status) {
      case 'SUBSCRIBED':
        this.counts.subscribed += 1;
        this.joined = true;
        this.pgReady = false;
        this.pgReadyGuessed = false;
        this.joinSeq += 1;
        this.recreateAttempt = 0;
        this.tokenSuspect = false;
        this.logger.info('realtime channel joined', { join: this.joinSeq });
        // A join answered on a fresh socket proves the link; its first heartbeat ack comes one interval later.
        this.watchdog.connected();
        this.clearTimer('pgReadyTimer');
        this.pgReadyTimer = this.clock.setTimeout(() => {
          this.pgReadyTimer = undefined;
          if (epoch !== this.epoch || !this.joined || this.pgReady) return;
          this.logger.info('no "Subscribed to PostgreSQL" yet; reconciling anyway');
          this.pgReadyGuessed = true;
          this.markPgReady();
        }, this.options.pgReadyTimeoutMs ?? 3_000);
        break;
      case 'CHANNEL_ERROR':
      case 'TIMED_OUT': {
        const reason = status === 'TIMED_OUT' ? 'join timed out' : error?.message || 'channel error';
        this.realtimeLost(reason);
        if (isTokenProblem(error?.message)) {
          // realtime-js rejoins by itself; make sure it rejoins with a fresh token.
          this.tokenSuspect = true;
          void this.refreshToken(reason);
        }
        break;
      }
      case 'CLOSED': {
        if (this.closingByUs.has(channel)) return;
        const reason = this.lastSystemError ? `channel closed by the server: ${this.lastSystemError}` : 'channel closed by the server';
        this.realtimeLost(reason);
        this.scheduleRecreate(reason);
        break;
      }
    }
  }

  private onSystem(channel: RealtimeChannel, payload: unknown): void {
    if (channel !== this.channel) return;
    const message = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const text = typeof message.message === 'string' ? message.message : '';
    if (message.extension === 'postgres_changes') {
      if (message.status === 'ok') {
        if (this.joined && !this.pgReady) {
          this.markPgReady();
        } else if (this.joined) {
          // Either our reconcile ran on a guess, before changes were flowing, or the server has
          // re-created the subscription on a channel that stayed joined (Realtime does so after its
          // change capture went down and came back, after a publication change, and after a token
          // refresh): changes in between may never have been delivered. Read again; health stays as it is.
          this.logger.info('"Subscribed to PostgreSQL" again; reconciling', { guessed: this.pgReadyGuessed });
          this.pgReadyGuessed = false;
          void this.requestSnapshot('postgres-ready');
        }
        return;
      }
      // The server retries most of these itself; until it succeeds no change flows.
      this.logger.warn('realtime could not subscribe to database changes', { message: text });
      this.pgReady = false;
      this.updateHealth({ realtimeReady: false, realtimeDownReason: `database changes unavailable: ${text}`, reconciledSinceJoin: false });
      return;
    }
    if (message.status === 'error') {
      this.lastSystemError = text || 'unknown error';
      if (isTokenProblem(text)) this.tokenSuspect = true;
      this.logger.warn('realtime system error', { message: text });
    }
  }

  private markPgReady(): void {
    this.pgReady = true;
    this.clearTimer('pgReadyTimer');
    this.updateHealth({ realtimeReady: true, realtimeEverUp: true, realtimeDownReason: null, reconciledSinceJoin: false });
    void this.requestSnapshot('subscribed');
  }

  private realtimeLost(reason: string): void {
    const wasReady = this.joined;
    this.joined = false;
    this.pgReady = false;
    this.clearTimer('pgReadyTimer');
    if (wasReady) this.logger.warn('realtime lost; polling until it is back', { reason });
    this.updateHealth({ realtimeReady: false, realtimeDownReason: reason, reconciledSinceJoin: false });
  }

  private scheduleRecreate(reason: string): void {
    if (this.recreateTimer !== undefined || !this.userId) return;
    const delays = this.options.channelRetryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    const delay = delays[Math.min(this.recreateAttempt, delays.length - 1)] ?? 0;
    this.recreateAttempt += 1;
    const epoch = this.epoch;
    this.logger.info('recreating the realtime channel', { reason, delayMs: delay });
    this.recreateTimer = this.clock.setTimeout(() => {
      this.recreateTimer = undefined;
      if (epoch === this.epoch) void this.recreateChannel(epoch);
    }, delay);
  }

  private async recreateChannel(epoch: number): Promise<void> {
    const old = this.channel;
    this.channel = null;
    await this.removeOurChannels(old);
    if (epoch !== this.epoch) return;
    if (this.tokenSuspect) {
      const result = await this.refreshToken('channel closed over its token');
      // A refused refresh ends the session; the signed-out event tears everything down.
      if (!result.ok && result.kind === 'refused') return;
      if (epoch !== this.epoch) return;
    }
    await this.openChannel(epoch);
  }

  private async refreshToken(why: string): Promise<RefreshResult> {
    this.logger.info('refreshing the session token', { why });
    const result = await this.session.refresh();
    if (!result.ok) this.logger.warn('token refresh failed', { kind: result.kind, message: result.message });
    else this.tokenSuspect = false;
    return result;
  }

  // ---- watchdog ----------------------------------------------------------------------------

  private onStall(reason: StallReason): void {
    if (!this.userId || this.suspended || !this.osOnline) return;
    if (reason === 'heartbeat-timeout') {
      // realtime-js has already closed the socket and scheduled its own reconnect (1 s). Forcing
      // another one on top races with it: its pending teardown callback re-arms the reconnect timer
      // after our fresh socket opened and kills it a second later (seen against the local stack).
      // So: polling now, and the no-ack deadline forces a reconnect if the library's does not work.
      this.realtimeLost('heartbeat timeout');
      return;
    }
    this.logger.warn('heartbeat watchdog: forcing a reconnect', { reason });
    if (reason === 'heartbeat-error') this.realtimeLost('heartbeat error');
    // Deferred: realtime-js may still be inside its own heartbeat handling.
    this.clearReconnectTimer();
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.forceReconnect(reason);
    }, 0);
  }

  private forceReconnect(why: string): void {
    if (this.reconnecting || !this.userId || this.stopped) return;
    const epoch = this.epoch;
    this.counts.forcedReconnects += 1;
    this.logger.info('forcing a realtime reconnect', { why });
    this.reconnecting = (async () => {
      try {
        await this.client.realtime.disconnect();
      } catch (error) {
        this.logger.warn('realtime disconnect failed', { error: describe(error) });
      }
      if (epoch !== this.epoch || this.stopped || this.suspended) return;
      // Errored channels rejoin as soon as the socket opens.
      this.client.realtime.connect();
    })().finally(() => {
      this.reconnecting = null;
    });
  }

  // ---- changes and snapshots ---------------------------------------------------------------

  private onPostgresChange(channel: RealtimeChannel, payload: unknown): void {
    if (channel !== this.channel || this.stopped) return;
    const parsed = parseChange(payload, this.recordLimit());
    if (!parsed.ok) {
      this.counts.rejected += 1;
      this.logger.warn('rejected a realtime change; refetching', { ...parsed.rejection });
      this.emitRejected(parsed.rejection, 'change');
      void this.requestSnapshot('rejected-change');
      return;
    }
    const change = parsed.value;
    this.counts.changes += 1;
    this.health.touch();
    if (change.table === 'user_profiles' && change.eventType !== 'DELETE' && change.row.id === this.userId) this.session.noteProfile(change.row);
    this.events.emit('change', change);
  }

  private async runSnapshot(reason: SnapshotReason): Promise<boolean> {
    const epoch = this.epoch;
    const joinSeq = this.joinSeq;
    const coversJoin = this.joined && this.pgReady;
    const params = {
      ...cursorsWithMargin(this.options.cursors(), this.options.cursorMarginMs ?? 60_000),
      changes_limit: this.options.changesLimit ?? 200,
    };
    const abort = new AbortController();
    this.snapshotAbort = abort;
    let requestedAt = this.clock.now();
    try {
      let outcome = await callSnapshotRpc(this.client, params, { clock: this.clock, timeoutMs: this.options.snapshotTimeoutMs ?? 15_000, abort });
      if (outcome.kind === 'auth' && epoch === this.epoch) {
        const refreshed = await this.refreshToken(`snapshot refused: ${outcome.detail}`);
        if (refreshed.ok && epoch === this.epoch) {
          requestedAt = this.clock.now();
          outcome = await callSnapshotRpc(this.client, params, { clock: this.clock, timeoutMs: this.options.snapshotTimeoutMs ?? 15_000, abort });
        }
      }
      if (epoch !== this.epoch || this.stopped) return false;
      if (outcome.kind !== 'ok') {
        this.counts.snapshotFailures += 1;
        this.logger.warn('snapshot failed', { reason, kind: outcome.kind, detail: outcome.detail });
        this.updateHealth({ lastSnapshot: outcome.kind === 'unreachable' ? 'unreachable' : 'failed', lastSnapshotDetail: outcome.detail });
        return false;
      }
      const parsed = parseSnapshot(outcome.data, this.recordLimit());
      if (!parsed.ok) {
        this.counts.snapshotFailures += 1;
        this.counts.rejected += 1;
        this.logger.error('rejected a snapshot', { trigger: reason, ...parsed.rejection });
        this.emitRejected(parsed.rejection, 'snapshot');
        this.updateHealth({ lastSnapshot: 'failed', lastSnapshotDetail: `invalid snapshot (${parsed.rejection.detail})` });
        return false;
      }
      const snapshot = parsed.value;
      for (const skipped of snapshot.skipped) {
        this.counts.rejected += 1;
        this.logger.warn('skipped an invalid row in the snapshot', { ...skipped });
        this.emitRejected(skipped, 'snapshot');
      }
      this.counts.snapshots += 1;
      this.session.noteProfile(snapshot.profile);
      this.events.emit('snapshot', snapshot, reason, requestedAt);
      const reconciled = coversJoin && joinSeq === this.joinSeq && this.joined && this.pgReady;
      this.updateHealth({
        lastSnapshot: 'ok',
        lastSnapshotDetail: null,
        ...(reconciled ? { reconciledSinceJoin: true } : {}),
      });
      return true;
    } finally {
      if (this.snapshotAbort === abort) this.snapshotAbort = null;
    }
  }

  // ---- health and polling ------------------------------------------------------------------

  private updateHealth(change: Partial<HealthFacts>): void {
    this.health.update(change);
    this.syncPolling();
  }

  /** Polling runs exactly when signed in, awake, online and not live. */
  private syncPolling(): void {
    const state = this.health.report().state;
    const shouldPoll = this.started && !this.stopped && !!this.userId && !this.suspended && this.osOnline && state !== 'live';
    if (shouldPoll && !this.poller.running) {
      // Lost after having been up: poll at once. Still connecting: give the first join an interval.
      this.poller.start(this.health.current.realtimeEverUp ? 'now' : 'after-interval');
    } else if (!shouldPoll && this.poller.running) {
      this.poller.stop();
    }
  }

  private onHealthReport(report: HealthReport): void {
    this.logger.info('sync health', { state: report.state, reason: report.reason });
    const info: HealthInfo = { reason: report.reason, code: report.code, lastSyncAt: report.lastSyncAt };
    this.events.emit('health', report.state, info);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private recordLimit(): { maxRecordBytes?: number } {
    return this.options.maxRecordBytes ? { maxRecordBytes: this.options.maxRecordBytes } : {};
  }

  private emitRejected(rejection: Rejection, source: 'change' | 'snapshot'): void {
    this.events.emit('rejection', rejection, source);
  }

  private clearTimer(name: 'pgReadyTimer' | 'recreateTimer'): void {
    if (this[name] !== undefined) this.clock.clearTimeout(this[name]);
    this[name] = undefined;
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
