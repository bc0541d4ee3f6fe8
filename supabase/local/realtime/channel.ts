/**
 * One joined channel (`realtime:<name>`) on one socket: its join settings,
 * the token it is authorised with (re-checked at the token's effective expiry
 * and on demand), its `postgres_changes` subscriptions, and the pushes the
 * channel process makes (system, presence_state, phx_close).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { JwtClaims, TokenRevocations } from '../auth/jwt.ts';
import type { ChangeSubscriber } from './change-pipeline.ts';
import type { BroadcastTarget, OutboundBroadcast } from './broadcast-fanout.ts';
import { ChannelAccess } from './channel-access.ts';
import type { JoinConfig } from './join-payload.ts';
import type { ClaimSet } from './rls.ts';
import { resolveBindings, type Binding, type SubscriberRole, type Subscription } from './subscriptions.ts';
import { channelErrorMessage, checkToken, type TokenCheck, type TokenKeys } from './token-check.ts';
import type { UserBroadcast, Vsn } from './wire.ts';
import type { TypeCatalog } from './type-catalog.ts';

/** What a channel needs from its socket and from the server. */
export interface ChannelHost {
  readonly vsn: Vsn;
  readonly pool: pg.Pool;
  readonly types: TypeCatalog;
  readonly jwtSecret: TokenKeys;
  readonly revocations: TokenRevocations;
  /** Sends a frame on the channel's socket (if still open). */
  send(frame: string | Buffer): void;
  /** A user broadcast: binary kind 4 on vsn 2.0.0, JSON on 1.0.0. */
  sendUserBroadcast(topic: string, broadcast: UserBroadcast): void;
  /** A message outside the channel process: no refs. */
  sendFastlane(topic: string, event: string, payload: unknown): void;
  /** Pushes a message from the channel process: carries the join ref, ref null. */
  push(channel: Channel, event: string, payload: unknown): void;
  onDelivered(): void;
  /** Registers or replaces the channel's live subscriptions (empty = none). */
  setSubscriptions(channel: Channel, subscriptions: readonly Subscription[]): void;
  /** The channel ends itself (token expired): the host sends phx_close and forgets it. */
  closeChannel(channel: Channel): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** Longest wait before a token is looked at again (Realtime: 5 minutes). */
const MAX_TOKEN_CHECK_DELAY_MS = 5 * 60_000;
const SUBSCRIBE_RETRY_MS = 5_000;

export class Channel implements ChangeSubscriber, BroadcastTarget {
  readonly topic: string;
  readonly name: string;
  readonly joinRef: string;
  readonly config: JoinConfig;
  readonly bindings: readonly Binding[];
  /** Presence key: the client's, or a server-generated UUID when empty. */
  readonly presenceKey: string;
  role: SubscriberRole;
  claimSet: ClaimSet;
  claimsKey: string;
  readonly host: ChannelHost;
  /** Realtime Authorization of a private channel (set by the join); public: everything allowed. */
  access: ChannelAccess = ChannelAccess.public();
  /** Ids of the broadcasts replayed at join: not delivered a second time. */
  readonly replayedIds = new Set<string>();
  private token: string;
  private expiresAt: number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private subscribeGeneration = 0;
  private closed = false;

  constructor(options: {
    host: ChannelHost;
    topic: string;
    joinRef: string;
    config: JoinConfig;
    bindings: readonly Binding[];
    token: string;
    claims: JwtClaims;
    expiresAt: number;
  }) {
    this.host = options.host;
    this.topic = options.topic;
    this.name = options.topic.slice('realtime:'.length);
    this.joinRef = options.joinRef;
    this.config = options.config;
    this.bindings = options.bindings;
    this.presenceKey = options.config.presenceKey || randomUUID();
    this.token = options.token;
    this.expiresAt = options.expiresAt;
    this.role = { role: options.claims.role, bypassRls: false };
    this.claimSet = claimSetOf(options.claims);
    this.claimsKey = this.claimSet.claimsJson;
  }

  get vsn(): Vsn {
    return this.host.vsn;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  deliver(frame: string): void {
    if (this.closed) return;
    this.host.send(frame);
    this.host.onDelivered();
  }

  sendBroadcast(message: OutboundBroadcast): void {
    if (this.closed) return;
    if (message.kind === 'user') this.host.sendUserBroadcast(this.topic, message.broadcast);
    else this.host.sendFastlane(this.topic, 'broadcast', message.payload);
  }

  /** Starts the expiry watch; call once the join is accepted. */
  start(): void {
    this.scheduleTokenCheck();
  }

  /**
   * (Re)creates the postgres subscriptions with the current claims, then
   * reports the outcome as Realtime does, with a `postgres_changes` system
   * message. Errors in the parameters are final; database trouble is retried.
   */
  async subscribePostgres(): Promise<{ ok: true } | { ok: false; message: string }> {
    if (this.bindings.length === 0 || this.closed) return { ok: true };
    const generation = ++this.subscribeGeneration;
    clearTimeout(this.retryTimer);
    let outcome: { ok: true } | { ok: false; message: string };
    try {
      const result = await resolveBindings(this.host.pool, this.host.types, this.bindings, this.role.role);
      if (this.closed || generation !== this.subscribeGeneration) return { ok: true };
      if (result.ok) {
        this.role = result.role;
        this.host.setSubscriptions(this, result.subscriptions);
        outcome = { ok: true };
      } else {
        this.host.setSubscriptions(this, []);
        outcome = result;
      }
    } catch (error) {
      if (this.closed || generation !== this.subscribeGeneration) return { ok: true };
      this.host.log('warn', 'realtime: subscribing to postgres changes failed, retrying', { topic: this.topic, error: String(error) });
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
      this.retryTimer = setTimeout(() => void this.subscribePostgres(), SUBSCRIBE_RETRY_MS);
      this.retryTimer.unref();
    }
    this.host.push(
      this,
      'system',
      outcome.ok
        ? { message: 'Subscribed to PostgreSQL', status: 'ok', extension: 'postgres_changes', channel: this.name }
        : { message: outcome.message, status: 'error', extension: 'postgres_changes', channel: this.name },
    );
    return outcome;
  }

  /** An `access_token` push. Ignored for null, `sb_` keys and the current token; no reply either way. */
  async updateToken(token: string | null | undefined): Promise<void> {
    if (!token || token.startsWith('sb_') || token === this.token || this.closed) return;
    const check = await this.check(token);
    if (this.closed) return;
    if (!check.ok) {
      this.failWith(channelErrorMessage(check.failure));
      return;
    }
    this.token = token;
    this.expiresAt = check.expiresAt;
    this.role = { role: check.claims.role, bypassRls: false };
    this.claimSet = claimSetOf(check.claims);
    this.claimsKey = this.claimSet.claimsJson;
    this.scheduleTokenCheck();
    await this.subscribePostgres();
  }

  /** Re-evaluates the current token now (after revocations changed). */
  async recheckToken(): Promise<void> {
    if (this.closed) return;
    const check = await this.check(this.token);
    if (this.closed) return;
    if (!check.ok) this.failWith(channelErrorMessage(check.failure));
    else {
      this.expiresAt = check.expiresAt;
      this.scheduleTokenCheck();
    }
  }

  /** Stops timers and subscriptions; the host has already sent or skipped phx_close. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.retryTimer);
    this.subscribeGeneration += 1;
  }

  private check(token: string): Promise<TokenCheck> {
    return checkToken(this.host.jwtSecret, this.host.revocations, token);
  }

  private failWith(message: string): void {
    this.host.push(this, 'system', { extension: 'system', status: 'error', message, channel: this.name });
    this.host.closeChannel(this);
  }

  private scheduleTokenCheck(): void {
    clearTimeout(this.expiryTimer);
    const delay = Math.min(MAX_TOKEN_CHECK_DELAY_MS, Math.max(0, this.expiresAt * 1000 - Date.now()));
    this.expiryTimer = setTimeout(() => void this.recheckToken(), delay);
    this.expiryTimer.unref();
  }
}

function claimSetOf(claims: JwtClaims): ClaimSet {
  return { role: claims.role, claimsJson: JSON.stringify(claims), sub: claims.sub };
}
