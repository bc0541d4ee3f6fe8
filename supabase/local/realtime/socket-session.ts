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
import { fanOutBroadcast, type OutboundBroadcast } from './broadcast-fanout.ts';
import { presenceTopicOf } from './channel-access.ts';
import { admitJoin } from './join-admission.ts';
import { bindingId, joinPayloadProblem, parseJoinPayload } from './join-payload.ts';
import type { PresenceDiff, PresenceState } from './presence.ts';
import { wouldOverflow } from './send-buffer.ts';
import type { Subscription } from './subscriptions.ts';
import { checkToken, joinErrorReason, type TokenKeys } from './token-check.ts';
import type { TypeCatalog } from './type-catalog.ts';
import {
  decodeFrame,
  encodeMessage,
  encodeUserBroadcast,
  fitsUserBroadcastFrame,
  userBroadcastAsJson,
  type InboundMessage,
  type UserBroadcast,
  type Vsn,
} from './wire.ts';
import type { StackLog } from '../context.ts';

export interface SocketSessionLimits {
  /** Delay before a join error reply (Realtime: CHANNEL_ERROR_BACKOFF_MS, 5000). */
  readonly joinErrorBackoffMs: number;
  /** Close a socket that sent nothing for this long (Phoenix: 60000). */
  readonly idleTimeoutMs: number;
  /** Realtime: TENANT_MAX_CHANNELS_PER_CLIENT, 100. */
  readonly maxChannelsPerSocket: number;
}

/** The server-wide state a socket works with. */
export interface SocketSessionHub {
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
  readonly jwtSecret: TokenKeys;
  readonly revocations: TokenRevocations;
  readonly limits: SocketSessionLimits;
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
  onSessionClosed(session: SocketSession): void;
}

const presencePushSchema = z.object({
  event: z.enum(['track', 'untrack']),
  payload: z.unknown().optional(),
});

const accessTokenSchema = z.object({ access_token: z.string().nullable().optional() }).catch({});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SocketSession implements ChannelHost {
  readonly vsn: Vsn;
  private readonly ws: WebSocket;
  private readonly hub: SocketSessionHub;
  /** The socket's `apikey`: authorises joins that carry no access_token. */
  private readonly apiKey: string;
  private readonly channels = new Map<string, Channel>();
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private lastFrameAt = Date.now();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(ws: WebSocket, vsn: Vsn, apiKey: string, hub: SocketSessionHub) {
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
  get jwtSecret(): TokenKeys {
    return this.hub.jwtSecret;
  }
  get revocations(): TokenRevocations {
    return this.hub.revocations;
  }

  send(frame: string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (wouldOverflow(this.ws, frame)) {
      // A consumer that does not keep up is dropped (see send-buffer.ts); the others are unaffected.
      this.hub.log('warn', 'realtime: closing a socket whose send buffer is full (slow consumer)', { buffered: this.ws.bufferedAmount });
      this.ws.terminate();
      return;
    }
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
    if (this.vsn === '2.0.0' && fitsUserBroadcastFrame(topic, broadcast)) {
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
    if (message.event === 'phx_join') {
      const problem = joinPayloadProblem(message.payload);
      if (problem) return this.replyJoinError(message, problem);
      return this.join(message).catch((error: unknown) => {
        // A join must always be answered: whatever went wrong, the client gets an error reply.
        const channel = this.channels.get(message.topic);
        if (channel && channel.joinRef === (message.joinRef ?? message.ref ?? '')) this.forget(channel);
        this.hub.log('error', 'realtime: join failed', { topic: message.topic, error: String(error) });
        this.replyJoinError(message, 'UnknownErrorOnChannel: the join could not be processed');
      });
    }
    if (message.event === 'phx_leave') return this.leave(message);
    const channel = this.channels.get(message.topic);
    if (!channel) {
      this.reply(message, 'error', { reason: 'unmatched topic' });
      return;
    }
    if (message.joinRef !== null && message.joinRef !== channel.joinRef) return; // stale join ref: ignored
    switch (message.event) {
      case 'access_token': {
        const before = channel.claimSet;
        await channel.updateToken(accessTokenSchema.parse(message.payload).access_token);
        if (channel.claimSet !== before && !channel.isClosed) await this.reauthorize(channel);
        return;
      }
      case 'broadcast':
        await this.broadcast(channel, message);
        return;
      case 'presence':
        await this.presence(channel, message);
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
    const admission = await admitJoin(this.hub.pool, this.hub.log, { name, isPrivate: config.isPrivate, claims: check.claims, payload: message.payload });
    if (!admission.ok) return this.replyJoinError(message, admission.reason);
    const { access, replayed } = admission;
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
    channel.access = access;
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
    for (const { id, broadcast } of replayed) {
      channel.replayedIds.add(id);
      channel.sendBroadcast({ kind: 'user', broadcast });
    }
    if (config.presenceEnabled && access.canReceivePresence) this.push(channel, 'presence_state', this.hub.presenceState(presenceTopicOf(channel)));
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

  /** Realtime sends no reply (not even with ack) when the INSERT policy refuses the broadcast. */
  private async broadcast(sender: Channel, message: InboundMessage): Promise<void> {
    if (!(await this.mayWrite(sender, 'broadcast'))) return;
    let outbound: OutboundBroadcast | undefined;
    if (message.userBroadcast) outbound = { kind: 'user', broadcast: message.userBroadcast };
    else if (isPlainObject(message.payload)) outbound = { kind: 'json', payload: message.payload };
    if (outbound) {
      fanOutBroadcast(this.hub.channelsOn(sender.topic), sender.access.isPrivate, outbound, (t) => t === sender && !sender.config.broadcastSelf);
    }
    if (sender.config.broadcastAck) this.reply(message, 'ok', {});
  }

  private mayWrite(channel: Channel, extension: 'broadcast' | 'presence'): Promise<boolean> {
    return channel.access.allows(extension, (text, fields) => this.hub.log('warn', text, { topic: channel.topic, ...fields }));
  }

  /** A private channel's new token must still pass the read policies, or the channel is closed. */
  private async reauthorize(channel: Channel): Promise<void> {
    const log = (text: string, fields: Record<string, unknown>) => this.hub.log('warn', text, { topic: channel.topic, ...fields });
    if ((await channel.access.stillReadable(channel.role.role, channel.claimSet.claimsJson, log)) || channel.isClosed) return;
    const message = `You no longer have permission to read from this Channel topic: ${channel.name}`;
    this.push(channel, 'system', { extension: 'system', status: 'error', message, channel: channel.name });
    this.closeChannel(channel);
  }

  private async presence(channel: Channel, message: InboundMessage): Promise<void> {
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
      if (!(await this.mayWrite(channel, 'presence'))) {
        this.reply(message, 'error', {});
        return;
      }
      if (channel.isClosed) return;
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
      if (target.access.isPrivate !== origin.access.isPrivate) continue;
      if (target !== origin && !target.config.presenceEnabled) continue;
      if (target.access.isPrivate && !target.access.canReceivePresence) continue;
      (target.host as SocketSession).sendFastlane(target.topic, 'presence_diff', diff);
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
