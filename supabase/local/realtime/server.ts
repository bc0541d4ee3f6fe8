/**
 * The local stack's Realtime: `/realtime/v1/websocket` speaking Supabase
 * Realtime's Phoenix-channel protocol (docs/architecture.md, "Local stack"), with
 * `postgres_changes` fed by logical replication and checked against each
 * subscriber's RLS, plus the fault controls the test surface drives.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type pg from 'pg';
import type { TokenRevocations } from '../auth/jwt.ts';
import type { StackContext, StackLog } from '../context.ts';
import type { Channel } from './channel.ts';
import { presenceTopicOf } from './channel-access.ts';
import { createBroadcastApi } from './broadcast-api.ts';
import { fanOutBroadcast, type OutboundBroadcast } from './broadcast-fanout.ts';
import { ChangePipeline, SubscriptionRegistry } from './change-pipeline.ts';
import { broadcastsOf, MESSAGES_PUBLICATION } from './db-broadcasts.ts';
import { DeliveryScheduler } from './delivery-scheduler.ts';
import { startMessageRetention } from './message-retention.ts';
import { PresenceRegistry, type PresenceDiff, type PresenceState } from './presence.ts';
import { RelationCatalog } from './relations.ts';
import { ReplicationStream, type CommittedTransaction } from './replication.ts';
import { installRlsFunction } from './rls.ts';
import { SocketSession, type SocketSessionHub, type SocketSessionLimits } from './socket-session.ts';
import { PUBLICATION, type Subscription } from './subscriptions.ts';
import { checkToken, connectErrorMessage, type TokenKeys } from './token-check.ts';
import { TypeCatalog } from './type-catalog.ts';
import { parseVsn } from './wire.ts';

export interface RealtimeServer {
  /** Route `/realtime/v1/websocket` upgrades here. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Route `/realtime/v1/api/*` requests here (`path` below `/api`, e.g. `/broadcast`). */
  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** Broadcasts to the channels joined on `realtime:<topic>` (private: only those whose read policy allows it). */
  publishBroadcast(topic: string, isPrivate: boolean, message: OutboundBroadcast): number;
  /** Closes every realtime socket abruptly, as a network drop would. */
  dropSockets(): void;
  /** Stops answering heartbeats until cleared. */
  setHeartbeatsSilenced(silenced: boolean): void;
  /** Holds changes (they are still read from the WAL). */
  pauseReplication(): void;
  /** Delivers the held changes in order, or drops them (lost-delivery fault). */
  resumeReplication(options: { drop: boolean }): void;
  /** Adds this delay to every delivery. */
  setLatency(ms: number): void;
  /** Closes all sockets and the replication stream, then comes back; clients reconnect by themselves. */
  restart(): Promise<void>;
  /** Re-evaluates every channel's token now (after ctx.revocations changed). */
  checkTokens(): void;
  /** Fault hook: errors every channel (phx_error) while leaving the sockets open; returns how many. */
  errorChannels(): number;
  /** Fault hook: answers every join with this error until cleared (null). */
  setJoinRefusal(reason: string | null): void;
  stats(): { sockets: number; channels: number; delivered: number; slot: string; joins: number };
  /** Idempotent; leaves no replication slot behind. */
  close(): Promise<void>;
}

export interface RealtimeServerOptions {
  /** Delay of join error replies; Realtime: 5000 ms. */
  readonly joinErrorBackoffMs?: number;
  /** Delay of refused WebSocket upgrades; Realtime: 2000 ms. */
  readonly connectErrorBackoffMs?: number;
  /** Close sockets silent for this long; Phoenix: 60000 ms. */
  readonly idleTimeoutMs?: number;
  /** Channels per socket; Realtime: 100. */
  readonly maxChannelsPerSocket?: number;
}

const MAX_FRAME_BYTES = 5_000_000;
const SLOT_GONE_TIMEOUT_MS = 5_000;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

class LocalRealtimeServer implements RealtimeServer, SocketSessionHub {
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
  readonly jwtSecret: TokenKeys;
  readonly revocations: TokenRevocations;
  readonly limits: SocketSessionLimits;
  private readonly ctx: StackContext;
  private readonly connectErrorBackoffMs: number;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly sessions = new Set<SocketSession>();
  private readonly pendingUpgrades = new Set<Duplex>();
  private readonly topics = new Map<string, Set<Channel>>();
  private readonly registry = new SubscriptionRegistry();
  private readonly presence = new PresenceRegistry<Channel>();
  private readonly scheduler = new DeliveryScheduler();
  private readonly pipeline: ChangePipeline;
  /** Transactions whose database broadcasts wait for resumeReplication (undefined = not paused). */
  private heldBroadcasts: CommittedTransaction[] | undefined;
  private stopRetention: (() => void) | undefined;
  private readonly broadcastApi: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  private replication: ReplicationStream | undefined;
  private slotName = '';
  private readonly slotsCreated: string[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private silenced = false;
  private refusal: string | null = null;
  private restarting = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private delivered = 0;
  /** Join attempts (phx_join) received, refused ones included (benchmarks read it). */
  private joins = 0;

  constructor(ctx: StackContext, options: RealtimeServerOptions) {
    this.ctx = ctx;
    this.pool = ctx.db.pool;
    this.types = new TypeCatalog(ctx.db.pool);
    this.jwtSecret = ctx.keys;
    this.revocations = ctx.revocations;
    this.connectErrorBackoffMs = options.connectErrorBackoffMs ?? 2000;
    this.limits = {
      joinErrorBackoffMs: options.joinErrorBackoffMs ?? 5000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxChannelsPerSocket: options.maxChannelsPerSocket ?? 100,
    };
    this.pipeline = new ChangePipeline({
      pool: ctx.db.pool,
      relations: new RelationCatalog(ctx.db.pool, this.types),
      registry: this.registry,
      schedule: (deliver) => this.scheduler.schedule(deliver),
      onError: (error) => this.ctx.log('error', 'realtime: change batch failed; its changes are lost', { error: String(error) }),
    });
    this.broadcastApi = createBroadcastApi({
      pool: ctx.db.pool,
      keys: ctx.keys,
      revocations: ctx.revocations,
      log: ctx.log,
      publish: (topic, isPrivate, message) => this.publishBroadcast(topic, isPrivate, message),
    });
  }

  get log(): StackLog {
    return this.ctx.log;
  }

  async start(): Promise<void> {
    // Every Supabase project has this publication; migrations add tables to it.
    await this.pool.query(`do $$ begin
      if not exists (select 1 from pg_publication where pubname = '${PUBLICATION}') then create publication ${PUBLICATION}; end if;
    end $$`);
    await installRlsFunction(this.pool);
    await this.startReplication();
    this.stopRetention = startMessageRetention(this.pool, this.ctx.log);
  }

  // RealtimeServer -----------------------------------------------------------------

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.pendingUpgrades.add(socket);
    socket.on('error', () => undefined);
    void this.upgrade(req, socket, head)
      .catch((error: unknown) => {
        this.ctx.log('error', 'realtime: upgrade failed', { error: String(error) });
        socket.destroy();
      })
      .finally(() => this.pendingUpgrades.delete(socket));
  }

  handleHttp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    return this.broadcastApi(req, res, path);
  }

  publishBroadcast(topic: string, isPrivate: boolean, message: OutboundBroadcast): number {
    return fanOutBroadcast(this.channelsOn(`realtime:${topic}`), isPrivate, message);
  }

  dropSockets(): void {
    for (const session of this.sessions) session.terminate();
  }

  errorChannels(): number {
    let count = 0;
    for (const session of this.sessions) for (const channel of session.allChannels()) count += session.errorChannel(channel) ? 1 : 0;
    return count;
  }

  setJoinRefusal(reason: string | null): void {
    this.refusal = reason;
  }

  joinRefusal(): string | null {
    this.joins += 1;
    return this.refusal;
  }

  setHeartbeatsSilenced(silenced: boolean): void {
    this.silenced = silenced;
  }

  pauseReplication(): void {
    this.pipeline.pause();
    this.heldBroadcasts ??= [];
  }

  resumeReplication(options: { drop: boolean }): void {
    const held = this.heldBroadcasts ?? [];
    this.heldBroadcasts = undefined;
    if (!options.drop) for (const transaction of held) this.relayDatabaseBroadcasts(transaction);
    this.pipeline.resume(options.drop);
  }

  setLatency(ms: number): void {
    this.scheduler.setLatency(ms);
  }

  async restart(): Promise<void> {
    if (this.closed) return;
    this.restarting = true;
    try {
      for (const session of this.sessions) {
        for (const channel of session.allChannels()) {
          session.sendFastlane(channel.topic, 'system', { message: 'Server requested disconnect', status: 'ok', extension: 'system' });
        }
        session.close(1012, 'server restart');
      }
      this.pipeline.clear();
      this.scheduler.clear();
      if (this.heldBroadcasts) this.heldBroadcasts = [];
      clearTimeout(this.reconnectTimer);
      const old = this.replication;
      this.replication = undefined;
      await old?.stop();
      await this.waitForSlotsGone();
      if (!this.closed) await this.startReplication();
    } finally {
      this.restarting = false;
    }
  }

  checkTokens(): void {
    for (const session of this.sessions) for (const channel of session.allChannels()) void channel.recheckToken();
  }

  stats(): { sockets: number; channels: number; delivered: number; slot: string; joins: number } {
    let channels = 0;
    for (const session of this.sessions) channels += session.channelCount;
    return { sockets: this.sessions.size, channels, delivered: this.delivered, slot: this.slotName, joins: this.joins };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // SocketSessionHub -------------------------------------------------------------------

  isRestarting(): boolean {
    return this.restarting;
  }

  heartbeatsSilenced(): boolean {
    return this.silenced;
  }

  replicationRunning(): boolean {
    return this.replication !== undefined;
  }

  channelsOn(topic: string): Iterable<Channel> {
    return this.topics.get(topic) ?? [];
  }

  attach(channel: Channel): void {
    let set = this.topics.get(channel.topic);
    if (!set) this.topics.set(channel.topic, (set = new Set()));
    set.add(channel);
  }

  detach(channel: Channel): void {
    const set = this.topics.get(channel.topic);
    set?.delete(channel);
    if (set?.size === 0) this.topics.delete(channel.topic);
    this.registry.remove(channel);
  }

  setSubscriptions(channel: Channel, subscriptions: readonly Subscription[]): void {
    if (channel.isClosed) return;
    this.registry.set(channel, subscriptions);
  }

  presenceTrack(channel: Channel, payload: Record<string, unknown>): PresenceDiff | undefined {
    return this.presence.track(presenceTopicOf(channel), channel, channel.presenceKey, payload);
  }

  presenceUntrack(channel: Channel): PresenceDiff | undefined {
    return this.presence.untrack(presenceTopicOf(channel), channel);
  }

  presenceState(topic: string): PresenceState {
    return this.presence.state(topic);
  }

  onDelivered(): void {
    this.delivered += 1;
  }

  onSessionClosed(session: SocketSession): void {
    this.sessions.delete(session);
  }

  // Internals --------------------------------------------------------------------

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const vsn = parseVsn(url.searchParams.get('vsn'));
    const header = req.headers['x-api-key'];
    const apiKey = (typeof header === 'string' && header !== '' ? header : undefined) ?? url.searchParams.get('apikey') ?? '';
    if (!vsn) return this.refuse(socket, 400, 'Unsupported serializer version');
    if (apiKey === '') return this.refuse(socket, 401, 'API key is missing');
    const check = await checkToken(this.jwtSecret, this.revocations, apiKey);
    if (!check.ok) return this.refuse(socket, 401, connectErrorMessage(check.failure));
    if (this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closed) {
        ws.terminate();
        return;
      }
      this.sessions.add(new SocketSession(ws, vsn, apiKey, this));
    });
  }

  /** Realtime answers a refused upgrade with a JSON error body after a back-off. */
  private async refuse(socket: Duplex, status: number, message: string): Promise<void> {
    await sleep(this.connectErrorBackoffMs);
    if (socket.destroyed || this.closed) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }

  private async startReplication(): Promise<void> {
    const slotName = `beacon_realtime_${process.pid}_${randomBytes(4).toString('hex')}`;
    const stream: ReplicationStream = new ReplicationStream({
      connectionString: this.ctx.db.url,
      publication: [PUBLICATION, MESSAGES_PUBLICATION],
      slotName,
      onTransaction: (transaction) => {
        this.relayDatabaseBroadcasts(transaction);
        this.pipeline.push(transaction);
      },
      onFailure: (error) => this.onReplicationFailure(stream, error),
    });
    this.slotsCreated.push(slotName);
    await stream.start();
    if (this.closed) {
      await stream.stop();
      return;
    }
    this.replication = stream;
    this.slotName = slotName;
  }

  /** realtime.send() rows, to the topic's subscribers (a replayed id is not delivered twice). */
  private relayDatabaseBroadcasts(transaction: CommittedTransaction): void {
    let broadcasts: ReturnType<typeof broadcastsOf>;
    try {
      broadcasts = broadcastsOf(transaction);
    } catch (error) {
      this.ctx.log('error', 'realtime: unreadable realtime.messages row; its broadcast is lost', { error: String(error) });
      return;
    }
    if (broadcasts.length === 0) return;
    if (this.heldBroadcasts) {
      this.heldBroadcasts.push(transaction);
      return;
    }
    this.scheduler.schedule(() => {
      for (const { id, topic, isPrivate, broadcast } of broadcasts) {
        fanOutBroadcast(this.channelsOn(`realtime:${topic}`), isPrivate, { kind: 'user', broadcast }, (channel) => channel.replayedIds.has(id));
      }
    });
  }

  private onReplicationFailure(stream: ReplicationStream, error: Error): void {
    if (this.closed || stream !== this.replication) return;
    this.ctx.log('warn', 'realtime: replication stream lost; reconnecting (changes meanwhile are not delivered)', { error: error.message });
    this.replication = undefined;
    void stream.stop();
    this.scheduleReconnect(250);
  }

  private scheduleReconnect(delay: number): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.closed || this.replication) return;
      // Like Supabase's Realtime when its change capture comes back: every channel's postgres
      // subscription is re-created and "Subscribed to PostgreSQL" is sent again, the only sign a
      // client gets that changes in between were never delivered.
      this.startReplication().then(() => {
        for (const session of this.sessions) for (const channel of session.allChannels()) void channel.subscribePostgres();
      }, (error: unknown) => {
        this.ctx.log('debug', 'realtime: replication reconnect failed', { error: String(error) });
        this.scheduleReconnect(Math.min(delay * 2, 5000));
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  /**
   * Temporary slots disappear when their connection ends; wait for that and
   * drop any that was left behind inactive.
   */
  private async waitForSlotsGone(): Promise<void> {
    const deadline = Date.now() + SLOT_GONE_TIMEOUT_MS;
    for (;;) {
      let rows: Array<{ slot_name: string; active: boolean; active_pid: number | null }>;
      try {
        rows = (
          await this.pool.query<{ slot_name: string; active: boolean; active_pid: number | null }>(
            'select slot_name, active, active_pid from pg_replication_slots where slot_name = any($1)',
            [this.slotsCreated.filter((name) => name !== this.slotName || !this.replication)],
          )
        ).rows;
      } catch (error) {
        this.ctx.log('debug', 'realtime: could not check replication slots', { error: String(error) });
        return;
      }
      if (rows.length === 0) return;
      for (const row of rows) {
        if (!row.active) await this.pool.query('select pg_drop_replication_slot($1)', [row.slot_name]).catch(() => undefined);
        else if (Date.now() > deadline && row.active_pid) {
          await this.pool.query('select pg_terminate_backend($1)', [row.active_pid]).catch(() => undefined);
        }
      }
      if (Date.now() > deadline + SLOT_GONE_TIMEOUT_MS) {
        this.ctx.log('error', 'realtime: replication slot still present', { slots: rows.map((r) => r.slot_name) });
        return;
      }
      await sleep(25);
    }
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stopRetention?.();
    for (const session of this.sessions) session.terminate();
    for (const socket of this.pendingUpgrades) socket.destroy();
    this.wss.close();
    this.pipeline.clear();
    this.scheduler.clear();
    const stream = this.replication;
    this.replication = undefined;
    await stream?.stop();
    await this.waitForSlotsGone();
  }
}

export async function createRealtimeServer(ctx: StackContext, options: RealtimeServerOptions = {}): Promise<RealtimeServer> {
  const server = new LocalRealtimeServer(ctx, options);
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
