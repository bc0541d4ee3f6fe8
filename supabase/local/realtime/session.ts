/**
 * One Realtime WebSocket: Phoenix socket semantics as supabase/realtime runs
 * them — heartbeats, joins (with Realtime's join checks and error reasons),
 * leaves, stale join refs, `access_token`, broadcast and presence pushes —
 * in the serializer the client asked for.
 */
import type pg from 'pg';
import { WebSocket } from 'ws';
import { z } from 'zod';
import type { TokenRevocations } from '../auth/jwt.ts';
import { Channel, type ChannelHost } from './channel.ts';
import { bindingId, parseJoinPayload } from './join-payload.ts';
import type { PresenceDiff, PresenceState } from './presence.ts';
import type { Subscription } from './subscriptions.ts';
import { checkToken, joinErrorReason } from './token-check.ts';
import type { TypeCatalog } from './type-catalog.ts';
import {
  decodeFrame,
  encodeMessage,
  encodeUserBroadcast,
  userBroadcastAsJson,
  type InboundMessage,
  type UserBroadcast,
  type Vsn,
} from './wire.ts';
import type { StackLog } from '../context.ts';

export interface SessionLimits {
  /** Delay before a join error reply (Realtime: CHANNEL_ERROR_BACKOFF_MS, 5000). */
  readonly joinErrorBackoffMs: number;
  /** Close a socket that sent nothing for this long (Phoenix: 60000). */
  readonly idleTimeoutMs: number;
  /** Realtime: TENANT_MAX_CHANNELS_PER_CLIENT, 100. */
  readonly maxChannelsPerSocket: number;
}

/** The server-wide state a socket works with. */
export interface SessionHub {
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
  readonly jwtSecret: string;
  readonly revocations: TokenRevocations;
  readonly limits: SessionLimits;
  readonly log: StackLog;
  isRestarting(): boolean;
  heartbeatsSilenced(): boolean;
  /** Fault hook: a join error to answer every join with, or null. */
  joinRefusal(): string | null;
  replicationRunning(): boolean;
  channelsOn(topic: string): Iterable<Channel>;
  attach(channel: Channel): void;
  /** Forgets the channel everywhere (topic index, subscriptions, presence). */
  detach(channel: Channel): void;
  setSubscriptions(channel: Channel, subscriptions: readonly Subscription[]): void;
  presenceTrack(channel: Channel, payload: Record<string, unknown>): PresenceDiff | undefined;
  presenceUntrack(channel: Channel): PresenceDiff | undefined;
  presenceState(topic: string): PresenceState;
  onDelivered(): void;
  onSessionClosed(session: Session): void;
}

const presencePushSchema = z.object({
  event: z.enum(['track', 'untrack']),
  payload: z.unknown().optional(),
});

const accessTokenSchema = z.object({ access_token: z.string().nullable().optional() }).catch({});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Session implements ChannelHost {
  readonly vsn: Vsn;
  private readonly ws: WebSocket;
  private readonly hub: SessionHub;
  /** The socket's `apikey`: authorises joins that carry no access_token. */
  private readonly apiKey: string;
  private readonly channels = new Map<string, Channel>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private lastFrameAt = Date.now();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(ws: WebSocket, vsn: Vsn, apiKey: string, hub: SessionHub) {
    this.ws = ws;
    this.vsn = vsn;
    this.apiKey = apiKey;
    this.hub = hub;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => this.onFrame(toBuffer(data), isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', (error) => hub.log('debug', 'realtime: socket error', { error: String(error) }));
    this.armIdleTimer(hub.limits.idleTimeoutMs);
  }

  // ChannelHost ------------------------------------------------------------------

  get pool(): pg.Pool {
    return this.hub.pool;
  }
  get types(): TypeCatalog {
    return this.hub.types;
  }
  get jwtSecret(): string {
    return this.hub.jwtSecret;
  }
  get revocations(): TokenRevocations {
    return this.hub.revocations;
  }

  send(frame: string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  push(channel: Channel, event: string, payload: unknown): void {
    this.send(encodeMessage(this.vsn, { joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload }));
  }

  onDelivered(): void {
    this.hub.onDelivered();
  }

  setSubscriptions(channel: Channel, subscriptions: readonly Subscription[]): void {
    this.hub.setSubscriptions(channel, subscriptions);
  }

  /** Fault hook: the channel process crashed (phx_error); the socket stays open and the client may rejoin. */
  errorChannel(channel: Channel): boolean {
    if (this.channels.get(channel.topic) !== channel) return false;
    this.send(encodeMessage(this.vsn, { joinRef: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event: 'phx_error', payload: {} }));
    this.forget(channel);
    return true;
  }

  closeChannel(channel: Channel): void {
    if (this.channels.get(channel.topic) !== channel) return;
    this.send(encodeMessage(this.vsn, { joinRef: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event: 'phx_close', payload: {} }));
    this.forget(channel);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.hub.log(level, message, fields);
  }

  // Server-side controls ---------------------------------------------------------------

  get channelCount(): number {
    return this.channels.size;
  }

  allChannels(): Channel[] {
    return [...this.channels.values()];
  }

  /** A message the server pushes outside any channel process (fastlane): no refs. */
  sendFastlane(topic: string, event: string, payload: unknown): void {
    this.send(encodeMessage(this.vsn, { joinRef: null, ref: null, topic, event, payload }));
  }

  sendUserBroadcast(topic: string, broadcast: UserBroadcast): void {
    const fitsBinary = Buffer.byteLength(topic) <= 255 && Buffer.byteLength(broadcast.event) <= 255;
    if (this.vsn === '2.0.0' && fitsBinary) {
      this.send(encodeUserBroadcast(topic, broadcast));
      return;
    }
    const json = userBroadcastAsJson(broadcast);
    if (json) this.sendFastlane(topic, 'broadcast', json); // binary payloads cannot reach a vsn 1.0.0 socket
  }

  /** Abrupt end, as a network drop: no close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    timer.unref();
  }

  // Inbound --------------------------------------------------------------------------

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.lastFrameAt = Date.now();
    const decoded = decodeFrame(this.vsn, data, isBinary);
    if (!decoded.ok) {
      this.hub.log('warn', 'realtime: closing socket after an undecodable frame', { reason: decoded.reason });
      this.ws.close(1007, decoded.reason);
      return;
    }
    const message = decoded.message;
    if (message.topic === 'phoenix' && message.event === 'heartbeat') {
      // Answered at once, never queued behind a slow join.
      if (!this.hub.heartbeatsSilenced()) this.reply(message, 'ok', {});
      return;
    }
    this.chain = this.chain
      .then(() => this.handle(message))
      .catch((error: unknown) => this.hub.log('error', 'realtime: message handling failed', { event: message.event, error: String(error) }));
  }

  private async handle(message: InboundMessage): Promise<void> {
    if (this.closed) return;
    if (message.event === 'phx_join') return this.join(message);
    if (message.event === 'phx_leave') return this.leave(message);
    const channel = this.channels.get(message.topic);
    if (!channel) {
      this.reply(message, 'error', { reason: 'unmatched topic' });
      return;
    }
    if (message.joinRef !== null && message.joinRef !== channel.joinRef) return; // stale join ref: ignored
    switch (message.event) {
      case 'access_token':
        await channel.updateToken(accessTokenSchema.parse(message.payload).access_token);
        return;
      case 'broadcast':
        this.broadcast(channel, message);
        return;
      case 'presence':
        this.presence(channel, message);
        return;
      default:
        return;
    }
  }

  private reply(message: InboundMessage, status: 'ok' | 'error', response: unknown): void {
    this.send(encodeMessage(this.vsn, { joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: 'phx_reply', payload: { status, response } }));
  }

  private replyJoinError(message: InboundMessage, reason: string): void {
    // Realtime answers join errors only after a back-off.
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer);
      this.reply(message, 'error', { reason });
    }, this.hub.limits.joinErrorBackoffMs);
    this.pendingTimers.add(timer);
  }

  private async join(message: InboundMessage): Promise<void> {
    const topic = message.topic;
    if (!topic.startsWith('realtime:')) {
      this.reply(message, 'error', { reason: 'unmatched topic' });
      return;
    }
    const existing = this.channels.get(topic);
    if (existing) this.closeChannel(existing); // a second join replaces the first
    const config = parseJoinPayload(message.payload);
    const name = topic.slice('realtime:'.length);
    if (this.hub.isRestarting()) return this.replyJoinError(message, 'RealtimeRestarting: Realtime is restarting, please standby');
    const refusal = this.hub.joinRefusal();
    if (refusal) return this.replyJoinError(message, refusal);
    if (name === '') return this.replyJoinError(message, 'TopicNameRequired: You must provide a topic name');
    if (this.channels.size >= this.hub.limits.maxChannelsPerSocket) {
      return this.replyJoinError(message, 'ChannelRateLimitReached: Too many channels');
    }
    const token = config.accessToken ?? this.apiKey;
    const check = await checkToken(this.hub.jwtSecret, this.hub.revocations, token);
    if (!check.ok) return this.replyJoinError(message, joinErrorReason(check.failure));
    if (config.isPrivate && check.claims.role !== 'service_role') {
      // No realtime.messages policies exist locally, so private channels are readable by the service role only.
      return this.replyJoinError(message, `Unauthorized: You do not have permissions to read from this Channel topic: ${name}`);
    }
    if (this.closed) return;
    const bindings = config.postgresChanges.map((params) => ({ params, id: bindingId(params) }));
    const channel = new Channel({
      host: this,
      topic,
      joinRef: message.joinRef ?? message.ref ?? '',
      config,
      bindings,
      token,
      claims: check.claims,
      expiresAt: check.expiresAt,
    });
    this.channels.set(topic, channel);
    this.hub.attach(channel);
    if (config.waitForPostgres && bindings.length > 0) {
      const outcome = await channel.subscribePostgres();
      if (!outcome.ok) {
        this.forget(channel);
        return this.replyJoinError(message, `UnableToSubscribeToPostgres: ${outcome.message}`);
      }
    }
    this.reply(message, 'ok', { postgres_changes: bindings.map((b) => ({ ...b.params, id: b.id })) });
    channel.start();
    if (config.presenceEnabled) this.push(channel, 'presence_state', this.hub.presenceState(topic));
    if (config.replicationReady && this.hub.replicationRunning()) {
      this.push(channel, 'system', { message: 'Replication connection established', status: 'ok', extension: 'system', channel: name });
    }
    if (!config.waitForPostgres) void channel.subscribePostgres();
  }

  private leave(message: InboundMessage): void {
    const channel = this.channels.get(message.topic);
    if (!channel) {
      this.reply(message, 'ok', {});
      return;
    }
    if (message.joinRef !== null && message.joinRef !== channel.joinRef) return;
    this.reply(message, 'ok', {});
    this.closeChannel(channel);
  }

  private broadcast(sender: Channel, message: InboundMessage): void {
    const userBroadcast = message.userBroadcast;
    for (const target of this.hub.channelsOn(sender.topic)) {
      if (target === sender && !sender.config.broadcastSelf) continue;
      if (target.config.isPrivate !== sender.config.isPrivate) continue;
      const session = target.host as Session;
      if (userBroadcast) session.sendUserBroadcast(target.topic, userBroadcast);
      else session.sendFastlane(target.topic, 'broadcast', message.payload);
    }
    if (sender.config.broadcastAck) this.reply(message, 'ok', {});
  }

  private presence(channel: Channel, message: InboundMessage): void {
    const parsed = presencePushSchema.safeParse(message.payload);
    if (!parsed.success) {
      this.reply(message, 'error', {});
      return;
    }
    let diff: PresenceDiff | undefined;
    if (parsed.data.event === 'track') {
      const payload = parsed.data.payload ?? {};
      if (!isPlainObject(payload)) {
        this.reply(message, 'error', { reason: 'Presence track payload must be a map' });
        return;
      }
      diff = this.hub.presenceTrack(channel, payload);
    } else {
      diff = this.hub.presenceUntrack(channel);
    }
    this.reply(message, 'ok', {});
    if (diff) this.sendPresenceDiff(channel, diff);
  }

  /** To every presence-enabled channel on the topic, and to the tracker itself (if still joined). */
  private sendPresenceDiff(origin: Channel, diff: PresenceDiff): void {
    for (const target of this.hub.channelsOn(origin.topic)) {
      if (target !== origin && !target.config.presenceEnabled) continue;
      (target.host as Session).sendFastlane(target.topic, 'presence_diff', diff);
    }
  }

  // Lifecycle --------------------------------------------------------------------------

  private forget(channel: Channel): void {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
    channel.dispose();
    const diff = this.hub.presenceUntrack(channel);
    this.hub.detach(channel);
    if (diff) this.sendPresenceDiff(channel, diff);
  }

  private armIdleTimer(delay: number): void {
    this.idleTimer = setTimeout(() => {
      const idle = Date.now() - this.lastFrameAt;
      if (idle >= this.hub.limits.idleTimeoutMs) this.close(1000, 'idle timeout');
      else this.armIdleTimer(this.hub.limits.idleTimeoutMs - idle);
    }, delay);
    this.idleTimer.unref();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const timer of this.pendingTimers) clearTimeout(timer);
    this.pendingTimers.clear();
    for (const channel of [...this.channels.values()]) this.forget(channel);
    this.hub.onSessionClosed(this);
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
