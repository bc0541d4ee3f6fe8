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
 *   - on resume(), unlock() and online(true), and on any sign of life after a suspend;
 *   - after a payload had to be rejected;
 *   - while live and idle: the delivery probe (one RPC per probeIdleMs without
 *     changes) that proves end-to-end delivery and detects a stalled feed
 *     (health "delayed"), and drops rows that left the agent's scope.
 * While not live the snapshot runs every 5 s ± jitter (polling), backing off
 * with full jitter to 60 s while the server errors, rate-limits or is
 * unreachable, until the channel is back and a reconcile succeeded.
 *
 * Connection life is one state union (ConnectionLifecycle). The user's token is
 * set on realtime before subscribing. A CHANNEL_ERROR / TIMED_OUT is retried by
 * realtime-js itself (the token is refreshed first when the error is about
 * it); if the channel has not rejoined after a back-off with full jitter while
 * the socket is open, the engine recreates it. A CLOSED the engine did not ask
 * for (server phx_close, e.g. after "Token has expired") is final for that
 * channel object: the engine refreshes the session when needed, removes it
 * and creates a new one. Realtime's rate-limit answers grow every back-off.
 * There is never more than one channel.
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
import { PollingScheduler, type PollOutcome } from './polling.ts';
import { CHANNEL_BACKOFF, fullJitter, isRateLimitMessage, RECONNECT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { timestampMicros } from '../domain/time.ts';
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

export type SnapshotReason = 'subscribed' | 'postgres-ready' | 'poll' | 'probe' | 'resume' | 'unlock' | 'online' | 'rejected-change' | 'requested';

export interface HealthInfo {
  readonly reason: string;
  readonly code: HealthCode;
  /** The technical cause, for logs (null when none). */
  readonly detail?: string | null;
  /** The ledger cannot be written (set by the core). */
  readonly storageFailing?: boolean;
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
  /** Idle delivery probes run (see armProbe). */
  readonly probes: number;
  /** Suspends ended (by resume or any sign of life). */
  readonly wakes: number;
  /** Echo writes sent while the feed looked stalled. */
  readonly echoes: number;
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
  /** The first poll after losing realtime comes within [0, this) (default 10 s): a fleet does not poll in one wave. */
  readonly firstPollJitterMs?: number;
  /** Back-off of polls while the server fails (default POLL_ERROR_BACKOFF; benchmarks pass the old fixed schedule). */
  readonly pollErrorBackoff?: BackoffPolicy;
  readonly pollJitterMs?: number;
  /** Re-read this much before each cursor (default 60 s; see cursorsWithMargin). */
  readonly cursorMarginMs?: number;
  /** `changes_limit` of the RPC (default 200). */
  readonly changesLimit?: number;
  /** A snapshot call gives up after this (default 15 s). */
  readonly snapshotTimeoutMs?: number;
  /** How long to wait after SUBSCRIBED for "Subscribed to PostgreSQL" before reconciling anyway (default 3 s). */
  readonly pgReadyTimeoutMs?: number;
  /** Fixed delays before recreating a channel, by attempt (the pre-back-off schedule, for comparisons); default full-jitter back-off (CHANNEL_BACKOFF). */
  readonly channelRetryDelaysMs?: readonly number[];
  /** While live and nothing arrived for this long, one snapshot proves delivery (default 30 s). */
  readonly probeIdleMs?: number;
  /** A change committed this long before a snapshot must have arrived live (default 10 s). */
  readonly deliveryGraceMs?: number;
  /** Delayed ends after this long without undelivered changes, or at the next live change (default 2 min). */
  readonly delayedClearMs?: number;
  /** After three link losses within 2 min, the link must stay up this long before "live" (default 30 s; after two: 10 s). */
  readonly settleMs?: number;
  /** While suspended, the wake check runs this often (default 5 s) ... */
  readonly suspendCheckMs?: number;
  /** ... and a check this late means the machine slept and woke (default 3 s) ... */
  readonly suspendDriftMs?: number;
  /** ... and a suspend without resume ends after this (default 60 s). */
  readonly maxSuspendMs?: number;
  /** How long the server asked to wait (Retry-After), read after a failed poll; see RetryAfterTracker. */
  readonly retryAfterMs?: () => number;
  /**
   * The echo: one small write whose change must come back over the channel
   * (BeaconCore rewrites the agent's own profile row unchanged). Sent only when
   * the feed looks stalled (delayed), at most once per echoMinIntervalMs; its
   * arrival proves the feed flows again. Resolves false when nothing was written.
   */
  readonly echo?: () => Promise<boolean>;
  /** While live and busy, one slow reconcile at least this often (default 5 min), for rows that left the scope. */
  readonly scopeReconcileMs?: number;
  /** At most one echo write per this long (default 3 min). */
  readonly echoMinIntervalMs?: number;
  readonly maxRecordBytes?: number;
}

type EngineEvents = {
  snapshot: [snapshot: Snapshot, reason: SnapshotReason, requestedAt: number];
  change: [change: RowChange];
  health: [state: Health, info: HealthInfo];
  rejection: [rejection: Rejection, source: 'change' | 'snapshot'];
};

/**
 * The connection lifecycle: exactly one of these at a time (no set of flags).
 *
 *   idle       nobody signed in (or torn down)
 *   joining    a channel was created and subscribe() sent; no SUBSCRIBED yet
 *   joined     SUBSCRIBED; `pgReady` once the server said "Subscribed to PostgreSQL" (or we stopped waiting)
 *   lost       the channel errored, timed out or was closed; realtime-js rejoins by itself or the
 *              recreate timer brings a new channel (back-off with full jitter)
 *   suspended  the OS said it sleeps; ends on any sign of life (timer drift, heartbeat ack, join,
 *              unlock, network) or after maxSuspendMs
 *   offline    the OS said the network is gone; ends on online() or any sign of life
 *   stopped    stop() was called: final
 */
export type ConnectionLifecycle =
  | { readonly phase: 'idle' }
  | { readonly phase: 'joining'; readonly since: number }
  | { readonly phase: 'joined'; readonly since: number; readonly pgReady: boolean; readonly pgGuessed: boolean }
  | { readonly phase: 'lost'; readonly since: number; readonly reason: string }
  | { readonly phase: 'suspended'; readonly since: number }
  | { readonly phase: 'offline'; readonly since: number }
  | { readonly phase: 'stopped' };

const REASON_PRIORITY: Readonly<Record<SnapshotReason, number>> = {
  poll: 0,
  probe: 0,
  requested: 1,
  'rejected-change': 2,
  unlock: 3,
  online: 3,
  resume: 3,
  'postgres-ready': 4,
  subscribed: 5,
};

/** Link losses within this window count towards a flapping link. */
const FLAP_WINDOW_MS = 120_000;

export class SyncEngine {
  private readonly session: EngineSession;
  private readonly client: SupabaseClient;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly options: SyncEngineOptions;
  private readonly health: HealthTracker;
  private readonly poller: PollingScheduler;
  private readonly watchdog: HeartbeatWatchdog;

  private readonly events = new Emitter<EngineEvents>((event, error) => this.logger.error(`${String(event)} listener failed`, { error: describe(error) }));
  private unsubscribers: Array<() => void> = [];

  private started = false;
  /** The one connection lifecycle (see ConnectionLifecycle). */
  private life: ConnectionLifecycle = { phase: 'idle' };
  /** The OS's last word about the network (an input, kept across suspend). */
  private osOnline = true;
  /** Bumped at each connect and teardown: work begun under an older epoch is dropped. */
  private epoch = 0;
  private userId: string | null = null;

  private channel: RealtimeChannel | null = null;
  private readonly closingByUs = new WeakSet<RealtimeChannel>();
  /** Counts SUBSCRIBEDs, so a snapshot knows whether it started after the current join. */
  private joinSeq = 0;
  private pgReadyTimer: unknown = undefined;
  private lastSystemError: string | null = null;
  private tokenSuspect = false;
  private recreateTimer: unknown = undefined;
  private recreateAttempt = 0;
  private reconnectTimer: unknown = undefined;
  private reconnecting: Promise<void> | null = null;
  private jitterWait: { cancel(): void } | null = null;
  private wakeTimer: unknown = undefined;
  private probeTimer: unknown = undefined;
  /** Consecutive rate-limit answers (joins and REST): grows every back-off. */
  private rateLimitStreak = 0;
  /** Times the link was lost after being ready (hysteresis). */
  private losses: number[] = [];

  // End-to-end delivery proof (see checkDelivery).
  private lastDeliveryAt = 0;
  private lastProbeAt = 0;
  private lastSnapshotOkAt = 0;
  /** Server time (µs) of the last snapshot taken on the current join: changes after it must arrive live. */
  private coveredUntil: number | null = null;
  /** Task id → newest updated_at (µs) received live since coveredUntil. */
  private readonly liveSeen = new Map<string, number>();
  private delayedSince: number | null = null;
  private lastEchoAt: number | null = null;
  private cleanPollsSince: number | null = null;

  private readonly snapshots: SnapshotQueue<SnapshotReason>;
  private snapshotAbort: AbortController | null = null;
  private lastOutcome: 'ok' | 'auth' | 'unreachable' | 'rate-limited' | 'failed' = 'ok';

  private readonly counts = { forcedReconnects: 0, channelsCreated: 0, subscribed: 0, snapshots: 0, snapshotFailures: 0, changes: 0, rejected: 0, probes: 0, wakes: 0, echoes: 0 };

  constructor(options: SyncEngineOptions) {
    this.options = options;
    this.session = options.session;
    this.client = options.session.client;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.health = new HealthTracker(this.clock, (report) => this.onHealthReport(report));
    this.snapshots = new SnapshotQueue((reason) => this.runSnapshot(reason), REASON_PRIORITY);
    this.poller = new PollingScheduler({
      clock: this.clock,
      intervalMs: options.pollIntervalMs ?? 5_000,
      jitterMs: options.pollJitterMs ?? 1_000,
      random: this.random,
      ...(options.pollErrorBackoff ? { errorBackoff: options.pollErrorBackoff } : {}),
      firstJitterMs: options.firstPollJitterMs ?? 10_000,
      run: () => this.poll(),
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

  /** The connection lifecycle right now (for tests and diagnostics). */
  lifecycle(): ConnectionLifecycle {
    return this.life;
  }

  /** True while a poll is scheduled or running. */
  pollScheduled(): boolean {
    return this.poller.scheduled;
  }

  /** When Beacon last had proof of end-to-end delivery (a change received, or a probe/snapshot on the current join). */
  lastDeliveryProofAt(): number {
    return this.lastDeliveryAt;
  }

  /**
   * realtime-js's socket reconnect delay (pass to the Session): full jitter,
   * 0.5–5 s at first, growing to 60 s, further while the server rate-limits.
   */
  reconnectDelay(tries: number): number {
    return fullJitter(RECONNECT_BACKOFF, Math.max(0, tries - 1) + this.rateLimitStreak, this.random);
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
      probes: this.counts.probes,
      wakes: this.counts.wakes,
      echoes: this.counts.echoes,
    };
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts following the session: connects now if signed in, and on every later sign-in. */
  start(): void {
    if (this.started || this.life.phase === 'stopped') return;
    this.started = true;
    this.unsubscribers = [
      this.session.onEvent((event) => this.onSessionEvent(event)),
      this.session.onHeartbeat((status) => this.onHeartbeat(status)),
    ];
    const userId = this.session.userId();
    if (userId) this.connect(userId);
    else this.onHealthReport(this.health.report()); // signed-out is also the initial state: say it once
  }

  /** Stops everything: no channel, no socket, no timer is left behind. */
  async stop(): Promise<void> {
    if (this.life.phase === 'stopped') return;
    this.setLife({ phase: 'stopped' });
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    await this.teardown();
    this.health.dispose();
    await this.client.realtime.disconnect();
  }

  private get stopped(): boolean {
    return this.life.phase === 'stopped';
  }

  private get suspended(): boolean {
    return this.life.phase === 'suspended';
  }

  private get ready(): boolean {
    return this.life.phase === 'joined' && this.life.pgReady;
  }

  /**
   * The system is going to sleep: stop expecting heartbeats and stop polling.
   * Ends on any sign of life, or after maxSuspendMs (a lost resume event must
   * not disable sync for good).
   */
  suspend(): void {
    if (this.suspended || this.stopped) return;
    this.setLife({ phase: 'suspended', since: this.clock.now() });
    this.watchdog.stop();
    this.clearTimer('reconnectTimer');
    this.cancelJitterWait();
    this.clearTimer('recreateTimer');
    this.clearTimer('probeTimer');
    this.armWakeCheck();
    this.updateHealth({ suspended: true });
    this.logger.info('sync suspended');
  }

  /** Woke up: the socket is probably dead and changes were missed, so reconnect and reconcile. */
  resume(): void {
    this.wake('resume');
  }

  /** The screen was unlocked: catch up (and a sign of life after a suspend). */
  unlock(): void {
    if (this.suspended) {
      this.wake('unlock');
      return;
    }
    if (this.userId) void this.requestSnapshot('unlock');
  }

  /** The OS network state changed. */
  online(isOnline: boolean): void {
    const wasOnline = this.osOnline;
    this.osOnline = isOnline;
    if (!isOnline) {
      this.watchdog.stop();
      if (!this.suspended && this.userId && !this.stopped) this.setLife({ phase: 'offline', since: this.clock.now() });
      this.updateHealth({ osOnline: false });
      return;
    }
    if (this.suspended) {
      this.updateHealth({ osOnline: true });
      this.wake('network back');
      return;
    }
    if (this.life.phase === 'offline') this.setLife({ phase: 'lost', since: this.clock.now(), reason: 'network back' });
    this.updateHealth({ osOnline: true });
    if (!this.userId) return;
    if (!wasOnline) {
      this.watchdog.start();
      this.forceReconnect('network back');
    }
    void this.requestSnapshot('online');
  }

  /** "Retry now": forget every back-off, reconnect what is not connected and check for changes at once. */
  retryNow(): void {
    if (!this.userId || this.stopped) return;
    this.logger.info('retry requested');
    this.rateLimitStreak = 0;
    this.recreateAttempt = 0;
    // A poll far off in a back-off comes back to the normal interval.
    this.poller.stop();
    this.poller.resetBackoff();
    if (this.suspended) {
      this.wake('retry requested');
      return;
    }
    if (!this.ready) {
      this.clearTimer('recreateTimer');
      if (this.isSocketOpen()) this.scheduleRecreate('retry requested', 0);
      else this.forceReconnect('retry requested');
    }
    void this.requestSnapshot('requested');
    this.syncPolling();
  }

  /**
   * Runs the snapshot RPC now (or right after the one in progress) and emits
   * it. Resolves true when a snapshot was emitted.
   */
  requestSnapshot(reason: SnapshotReason = 'requested'): Promise<boolean> {
    if (!this.userId || this.stopped) return Promise.resolve(false);
    return this.snapshots.request(reason);
  }

  private setLife(next: ConnectionLifecycle): void {
    if (this.life.phase === 'stopped') return;
    this.life = next;
    // "live" needs a joined channel: whatever moved the lifecycle away from it, the facts follow at once.
    if (!this.ready && this.health.current.realtimeReady) {
      this.updateHealth({ realtimeReady: false, reconciledSinceJoin: false, realtimeDownReason: next.phase === 'lost' ? next.reason : next.phase });
    }
  }

  /** Ends a suspend (or reacts to resume()): reconnect, reconcile, poll until live. */
  private wake(why: string): void {
    const wasSuspended = this.suspended;
    this.clearTimer('wakeTimer');
    if (this.stopped) return;
    if (wasSuspended) {
      this.counts.wakes += 1;
      this.setLife(this.osOnline ? { phase: 'lost', since: this.clock.now(), reason: 'woke up' } : { phase: 'offline', since: this.clock.now() });
    }
    if (!this.userId) {
      this.updateHealth({ suspended: false });
      return;
    }
    this.logger.info('sync resumed', { why, wasSuspended });
    if (this.osOnline) this.watchdog.start();
    // After a sleep the join is not to be trusted: the reconcile after the next SUBSCRIBED covers the gap.
    this.updateHealth({ suspended: false, ...(wasSuspended ? { realtimeReady: false, reconciledSinceJoin: false, realtimeDownReason: 'woke up' } : {}) });
    this.forceReconnect(why);
    void this.requestSnapshot('resume');
    // realtime-js rejoins errored channels when the socket opens; a channel it does not bring back is recreated.
    if (wasSuspended) this.scheduleRecreate('woke up', undefined, true);
  }

  /** While suspended: one timer that notices a wake-up the OS did not report (timers fire late) or the bound. */
  private armWakeCheck(): void {
    this.clearTimer('wakeTimer');
    const every = this.options.suspendCheckMs ?? 5_000;
    const dueAt = this.clock.now() + every;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = undefined;
      if (this.life.phase !== 'suspended') return;
      const now = this.clock.now();
      const late = now - dueAt;
      if (late > (this.options.suspendDriftMs ?? 3_000)) {
        this.wake(`timer drift (${Math.round(late / 1000)} s late)`);
      } else if (now - this.life.since >= (this.options.maxSuspendMs ?? 60_000)) {
        this.wake('no resume after the suspend bound');
      } else {
        this.armWakeCheck();
      }
    }, every);
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

  private onHeartbeat(status: HeartbeatStatus): void {
    if (status === 'ok') {
      // A heartbeat answered: the machine is awake and the network works.
      if (this.suspended) this.wake('heartbeat answered');
      else if (this.life.phase === 'offline') this.online(true);
    }
    this.watchdog.heartbeat(status);
  }

  private connect(userId: string): void {
    const epoch = ++this.epoch;
    this.userId = userId;
    this.recreateAttempt = 0;
    this.rateLimitStreak = 0;
    this.losses = [];
    this.resetDelivery();
    // A new sign-in starts from scratch; only what the OS says about the network (and sleep) carries over.
    const { osOnline: _keep, suspended: _asleep, ...fresh } = INITIAL_FACTS;
    if (this.life.phase !== 'suspended' && this.life.phase !== 'offline') this.setLife({ phase: 'joining', since: this.clock.now() });
    this.updateHealth({ ...fresh, signedIn: true });
    if (this.osOnline && !this.suspended) this.watchdog.start();
    void this.openChannel(epoch);
  }

  /** Leaves the current user's channel and cancels everything that belongs to it. */
  private async teardown(): Promise<void> {
    this.epoch += 1;
    this.userId = null;
    if (this.life.phase !== 'stopped' && this.life.phase !== 'suspended') this.setLife({ phase: 'idle' });
    this.poller.stop();
    this.watchdog.stop();
    this.clearTimer('pgReadyTimer');
    this.clearTimer('recreateTimer');
    this.clearTimer('reconnectTimer');
    this.cancelJitterWait();
    this.clearTimer('probeTimer');
    if (this.stopped) this.clearTimer('wakeTimer');
    this.resetDelivery();
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
    if (this.life.phase === 'joined' || this.life.phase === 'lost' || this.life.phase === 'idle') this.setLife({ phase: 'joining', since: this.clock.now() });
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
      case 'SUBSCRIBED': {
        // A join answered: the machine is awake and online, whatever the OS said.
        if (this.suspended) this.wake('channel joined');
        this.counts.subscribed += 1;
        this.setLife({ phase: 'joined', since: this.clock.now(), pgReady: false, pgGuessed: false });
        this.joinSeq += 1;
        this.recreateAttempt = 0;
        this.rateLimitStreak = 0;
        this.tokenSuspect = false;
        this.clearTimer('recreateTimer');
        this.resetDelivery();
        this.logger.info('realtime channel joined', { join: this.joinSeq });
        if (this.health.current.rateLimited) this.updateHealth({ rateLimited: false });
        // A join answered on a fresh socket proves the link; its first heartbeat ack comes one interval later.
        this.watchdog.connected();
        this.clearTimer('pgReadyTimer');
        this.pgReadyTimer = this.clock.setTimeout(() => {
          this.pgReadyTimer = undefined;
          if (epoch !== this.epoch || this.life.phase !== 'joined' || this.life.pgReady) return;
          this.logger.info('no "Subscribed to PostgreSQL" yet; reconciling anyway');
          this.markPgReady(true);
        }, this.options.pgReadyTimeoutMs ?? 3_000);
        break;
      }
      case 'CHANNEL_ERROR':
      case 'TIMED_OUT': {
        const message = error?.message ?? '';
        const reason = status === 'TIMED_OUT' ? 'join timed out' : message || 'channel error';
        const rateLimited = isRateLimitMessage(message) || isRateLimitMessage(this.lastSystemError);
        this.realtimeLost(reason, rateLimited);
        if (isTokenProblem(message)) {
          // realtime-js rejoins by itself; make sure it rejoins with a fresh token.
          this.tokenSuspect = true;
          void this.refreshToken(reason);
        }
        if (rateLimited) {
          // realtime-js would rejoin on its fixed 1/2/5/10 s schedule, into the rate limit: take the channel
          // off (no more rejoins) and create a new one after our back-off, which the rate limit has grown.
          const epoch = this.epoch;
          const old = this.channel;
          this.channel = null;
          void this.removeOurChannels(old).then(() => {
            if (epoch === this.epoch) this.scheduleRecreate(reason);
          });
          break;
        }
        // realtime-js rejoins an errored channel itself (1, 2, 5, 10 s, and on every socket open); when
        // it does not come back (an errored channel on a healthy socket can stay errored), recreate it.
        this.scheduleRecreate(reason, undefined, true);
        break;
      }
      case 'CLOSED': {
        if (this.closingByUs.has(channel)) return;
        const reason = this.lastSystemError ? `channel closed by the server: ${this.lastSystemError}` : 'channel closed by the server';
        this.realtimeLost(reason, isRateLimitMessage(this.lastSystemError));
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
        if (this.life.phase === 'joined' && !this.life.pgReady) {
          this.markPgReady(false);
        } else if (this.life.phase === 'joined') {
          // Either our reconcile ran on a guess, before changes were flowing, or the server has
          // re-created the subscription on a channel that stayed joined (Realtime does so after its
          // change capture went down and came back, after a publication change, and after a token
          // refresh): changes in between may never have been delivered. Read again; health stays as it is.
          this.logger.info('"Subscribed to PostgreSQL" again; reconciling', { guessed: this.life.pgGuessed });
          this.setLife({ ...this.life, pgGuessed: false });
          void this.requestSnapshot('postgres-ready');
        }
        return;
      }
      // The server retries most of these itself; until it succeeds no change flows.
      this.logger.warn('realtime could not subscribe to database changes', { message: text });
      if (this.life.phase === 'joined') this.setLife({ ...this.life, pgReady: false });
      this.updateHealth({ realtimeReady: false, realtimeDownReason: `database changes unavailable: ${text}`, reconciledSinceJoin: false });
      return;
    }
    if (message.status === 'error') {
      this.lastSystemError = text || 'unknown error';
      if (isTokenProblem(text)) this.tokenSuspect = true;
      this.logger.warn('realtime system error', { message: text });
    }
  }

  private markPgReady(guessed: boolean): void {
    if (this.life.phase !== 'joined') return;
    this.setLife({ ...this.life, pgReady: true, pgGuessed: guessed });
    this.clearTimer('pgReadyTimer');
    // Hysteresis: after repeated losses the link must stay up a while before the tray says live again.
    const now = this.clock.now();
    this.losses = this.losses.filter((at) => now - at < FLAP_WINDOW_MS);
    // Two losses within the window: hold live back 10 s; three or more (a flapping link): settleMs.
    const settle = this.losses.length >= 3 ? (this.options.settleMs ?? 30_000) : this.losses.length === 2 ? Math.min(10_000, this.options.settleMs ?? 30_000) : 0;
    this.updateHealth({ realtimeReady: true, realtimeEverUp: true, realtimeDownReason: null, reconciledSinceJoin: false, settlingUntil: settle > 0 ? now + settle : null });
    void this.requestSnapshot('subscribed');
  }

  private realtimeLost(reason: string, rateLimited = false): void {
    const wasReady = this.ready;
    if (this.life.phase !== 'suspended' && this.life.phase !== 'offline') this.setLife({ phase: 'lost', since: this.clock.now(), reason });
    this.clearTimer('pgReadyTimer');
    this.clearTimer('probeTimer');
    if (rateLimited) this.rateLimitStreak += 1;
    if (wasReady) {
      this.losses.push(this.clock.now());
      this.logger.warn('realtime lost; polling until it is back', { reason });
    }
    this.updateHealth({ realtimeReady: false, realtimeDownReason: reason, reconciledSinceJoin: false, ...(rateLimited ? { rateLimited: true } : {}) });
  }

  /**
   * Recreates the channel after a back-off with full jitter (or the configured
   * fixed schedule). `ifStillDown`: only if it has not rejoined by then.
   */
  private scheduleRecreate(reason: string, delayMs?: number, ifStillDown = false): void {
    if (this.recreateTimer !== undefined || !this.userId || this.stopped || this.suspended) return;
    const fixed = this.options.channelRetryDelaysMs;
    const attempt = this.recreateAttempt + this.rateLimitStreak;
    const delay = delayMs ?? (fixed ? (fixed[Math.min(this.recreateAttempt, fixed.length - 1)] ?? 0) : fullJitter(CHANNEL_BACKOFF, attempt, this.random));
    this.recreateAttempt += 1;
    const epoch = this.epoch;
    this.logger.info(ifStillDown ? 'recreating the realtime channel unless it rejoins' : 'recreating the realtime channel', { reason, delayMs: delay });
    this.recreateTimer = this.clock.setTimeout(() => {
      this.recreateTimer = undefined;
      if (epoch !== this.epoch || this.stopped || this.suspended) return;
      if (ifStillDown && this.life.phase === 'joined') return;
      if (!this.isSocketOpen() && ifStillDown) {
        // The socket is down: realtime-js reconnects and rejoins; look again after the next back-off.
        this.scheduleRecreate(reason, undefined, true);
        return;
      }
      void this.recreateChannel(epoch);
    }, delay);
  }

  /** Waits `ms` on the clock; cancelJitterWait() (suspend, teardown) ends the wait early. */
  private waitJitter(ms: number): Promise<void> {
    this.cancelJitterWait();
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.jitterWait = null;
        resolve();
      }, ms);
      this.jitterWait = {
        cancel: () => {
          this.clock.clearTimeout(timer);
          this.jitterWait = null;
          resolve();
        },
      };
    });
  }

  private cancelJitterWait(): void {
    this.jitterWait?.cancel();
  }

  private isSocketOpen(): boolean {
    try {
      return this.client.realtime.connectionState() === 'open';
    } catch {
      return false;
    }
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
    if (!this.userId || this.suspended || !this.osOnline || this.stopped) return;
    if (reason === 'heartbeat-timeout') {
      // realtime-js has already closed the socket and scheduled its own reconnect. Forcing
      // another one on top races with it: its pending teardown callback re-arms the reconnect timer
      // after our fresh socket opened and kills it a second later (seen against the local stack).
      // So: polling now, and the no-ack deadline forces a reconnect if the library's does not work.
      this.realtimeLost('heartbeat timeout');
      return;
    }
    this.logger.warn('heartbeat watchdog: forcing a reconnect', { reason });
    if (reason === 'heartbeat-error') this.realtimeLost('heartbeat error');
    // Deferred: realtime-js may still be inside its own heartbeat handling.
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.forceReconnect(reason, true);
    }, 0);
  }

  /**
   * Disconnects and connects again. `jittered` (the watchdog's reconnects: a fleet that lost the server
   * together notices together) waits a full-jitter back-off between the two; resume, network back and
   * "Retry now" connect at once.
   */
  private forceReconnect(why: string, jittered = false): void {
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
      if (jittered) {
        await this.waitJitter(this.reconnectDelay(1));
        if (epoch !== this.epoch || this.stopped || this.suspended) return;
      }
      // Errored channels rejoin as soon as the socket opens.
      this.client.realtime.connect();
    })().finally(() => {
      this.reconnecting = null;
    });
  }

  // ---- changes, snapshots and the proof of delivery ----------------------------------------

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
    if (change.table === 'agent_tasks' && change.eventType !== 'DELETE') {
      const at = timestampMicros(change.row.updatedAt);
      if (!Number.isNaN(at) && (this.liveSeen.get(change.row.id) ?? -Infinity) < at) this.liveSeen.set(change.row.id, at);
    }
    this.proveDelivery();
    if (this.health.current.feedDelayed) {
      // Changes flow again.
      this.logger.info('the change feed delivers again');
      this.delayedSince = null;
      this.updateHealth({ feedDelayed: false });
    }
    if (change.table === 'user_profiles' && change.eventType !== 'DELETE' && change.row.id === this.userId) this.session.noteProfile(change.row);
    this.events.emit('change', change);
  }

  private proveDelivery(): void {
    this.lastDeliveryAt = this.clock.now();
    this.health.touch();
    this.armProbe();
  }

  private resetDelivery(): void {
    this.coveredUntil = null;
    this.liveSeen.clear();
  }

  /**
   * The idle probe: while live and nothing arrived for probeIdleMs, one
   * snapshot RPC (the reconcile query, small when nothing changed) proves
   * end-to-end delivery: every task change it shows that was committed after
   * the previous snapshot of this join, and more than deliveryGraceMs before
   * the server answered, must have arrived live. Cost: nothing while changes
   * flow; at most one RPC per probeIdleMs (default 30 s: 120 per idle hour).
   * The same probe is the slow reconcile that drops rows that left the scope.
   */
  private armProbe(): void {
    this.clearTimer('probeTimer');
    if (!this.userId || this.stopped || this.health.report().state !== 'live') return;
    const idle = this.options.probeIdleMs ?? 30_000;
    // From the last proof or the last probe, whichever is later: a probe that proved nothing waits a full interval.
    const idleDue = Math.max(this.lastDeliveryAt, this.lastProbeAt) + idle;
    // While changes keep flowing, still one slow reconcile per scopeReconcileMs: rows that left the
    // agent's scope (no event reaches us for them) leave the tray within that bound.
    const scopeDue = Math.max(this.lastSnapshotOkAt, this.lastProbeAt) + (this.options.scopeReconcileMs ?? 300_000);
    const wait = Math.max(0, Math.min(idleDue, scopeDue) - this.clock.now());
    const epoch = this.epoch;
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = undefined;
      if (epoch !== this.epoch || this.health.report().state !== 'live') return;
      this.counts.probes += 1;
      this.lastProbeAt = this.clock.now();
      void this.requestSnapshot('probe').then(() => this.armProbe());
    }, wait);
  }

  /** After a snapshot on the current join: did the feed deliver everything it should have? */
  private checkDelivery(snapshot: Snapshot, reason: SnapshotReason, onJoin: boolean): void {
    const serverAt = timestampMicros(snapshot.serverTime);
    if (Number.isNaN(serverAt)) return;
    if (!onJoin) {
      this.coveredUntil = null;
      return;
    }
    const previous = this.coveredUntil;
    const graceUs = (this.options.deliveryGraceMs ?? 10_000) * 1000;
    // Judged up to serverAt - grace; what is younger is judged by the next check. The join's reconcile
    // is the baseline: everything up to its server time was read by it.
    this.coveredUntil = previous === null ? serverAt : Math.max(previous, serverAt - graceUs);
    if (previous === null) {
      // The reconcile of this join: the baseline; from here on every change must arrive live.
      this.liveSeen.clear();
      this.proveDelivery();
      return;
    }
    let missed = 0;
    for (const task of [...snapshot.activeTasks, ...snapshot.finishedTasks]) {
      const at = timestampMicros(task.updatedAt);
      if (Number.isNaN(at) || at <= previous || at > serverAt - graceUs) continue;
      if ((this.liveSeen.get(task.id) ?? -Infinity) >= at) continue;
      missed += 1;
    }
    for (const [id, at] of this.liveSeen) if (at <= serverAt - graceUs) this.liveSeen.delete(id);
    const now = this.clock.now();
    if (missed > 0) {
      this.cleanPollsSince = null;
      if (!this.health.current.feedDelayed) {
        this.delayedSince = now;
        this.logger.warn('the change feed is stalled: changes were committed but not delivered live', { missed, reason });
        this.updateHealth({ feedDelayed: true });
      }
      this.sendEcho();
      return;
    }
    // Nothing was missed. While delayed, leave only after a long clean stretch (hysteresis), or when a change arrives.
    if (this.health.current.feedDelayed) {
      this.cleanPollsSince ??= now;
      if (now - this.cleanPollsSince >= (this.options.delayedClearMs ?? 120_000)) {
        this.logger.info('no undelivered changes for a while; the feed counts as flowing', { delayedForMs: this.delayedSince === null ? null : now - this.delayedSince });
        this.delayedSince = null;
        this.cleanPollsSince = null;
        this.updateHealth({ feedDelayed: false });
      }
    }
    this.proveDelivery();
  }

  /** While delayed: one small write whose live echo proves the feed flows again (bounded, see SyncEngineOptions.echo). */
  private sendEcho(): void {
    const echo = this.options.echo;
    if (!echo || !this.health.current.feedDelayed || this.life.phase !== 'joined') return;
    const now = this.clock.now();
    if (this.lastEchoAt !== null && now - this.lastEchoAt < (this.options.echoMinIntervalMs ?? 180_000)) return;
    this.lastEchoAt = now;
    this.counts.echoes += 1;
    void echo().then(
      (sent) => this.logger.info('sent a delivery echo', { sent }),
      (error: unknown) => this.logger.warn('the delivery echo failed', { error: describe(error) }),
    );
  }

  private async poll(): Promise<PollOutcome> {
    const ok = await this.requestSnapshot('poll');
    if (ok) return { kind: 'answered' };
    const retryAfterMs = this.options.retryAfterMs?.() ?? 0;
    return retryAfterMs > 0 ? { kind: 'failed', retryAfterMs } : { kind: 'failed' };
  }

  private async runSnapshot(reason: SnapshotReason): Promise<boolean> {
    const epoch = this.epoch;
    const joinSeq = this.joinSeq;
    const coversJoin = this.ready;
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
      this.lastOutcome = outcome.kind;
      if (outcome.kind !== 'ok') {
        this.counts.snapshotFailures += 1;
        this.logger.warn('snapshot failed', { reason, kind: outcome.kind, detail: outcome.detail });
        const lastSnapshot = outcome.kind === 'unreachable' ? 'unreachable' : outcome.kind === 'rate-limited' ? 'rate-limited' : 'failed';
        this.updateHealth({ lastSnapshot, lastSnapshotDetail: outcome.detail });
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
      this.lastSnapshotOkAt = this.clock.now();
      this.session.noteProfile(snapshot.profile);
      this.events.emit('snapshot', snapshot, reason, requestedAt);
      const onJoin = coversJoin && joinSeq === this.joinSeq && this.ready;
      // The reconcile of a join is the first proof of delivery on it (before health may turn live and arm the probe).
      if (onJoin && this.coveredUntil === null) this.lastDeliveryAt = this.clock.now();
      this.updateHealth({
        lastSnapshot: 'ok',
        lastSnapshotDetail: null,
        ...(onJoin ? { reconciledSinceJoin: true } : {}),
      });
      this.checkDelivery(snapshot, reason, onJoin);
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

  /** Polling runs exactly when signed in, awake, online and not live (the "polling"/"delayed" invariant). */
  private syncPolling(): void {
    const state = this.health.report().state;
    const shouldPoll = this.started && !this.stopped && !!this.userId && !this.suspended && this.osOnline && state !== 'live' && state !== 'signed-out';
    if (shouldPoll && !this.poller.running) {
      this.clearTimer('probeTimer');
      // Lost after having been up: poll at once. Still connecting: give the first join an interval.
      this.poller.start(this.health.current.realtimeEverUp ? 'now' : 'after-interval');
    } else if (!shouldPoll && this.poller.running) {
      this.poller.stop();
    }
    if (state === 'live' && this.probeTimer === undefined && !!this.userId) this.armProbe();
  }

  private onHealthReport(report: HealthReport): void {
    this.logger.info('sync health', { state: report.state, code: report.code, detail: report.detail });
    // The settle timer can turn the state live by itself: polling follows.
    this.syncPolling();
    const info: HealthInfo = { reason: report.reason, code: report.code, detail: report.detail, lastSyncAt: report.lastSyncAt };
    this.events.emit('health', report.state, info);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private recordLimit(): { maxRecordBytes?: number } {
    return this.options.maxRecordBytes ? { maxRecordBytes: this.options.maxRecordBytes } : {};
  }

  private emitRejected(rejection: Rejection, source: 'change' | 'snapshot'): void {
    this.events.emit('rejection', rejection, source);
  }

  private clearTimer(name: 'pgReadyTimer' | 'recreateTimer' | 'reconnectTimer' | 'wakeTimer' | 'probeTimer'): void {
    if (this[name] !== undefined) this.clock.clearTimeout(this[name]);
    this[name] = undefined;
  }

}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
