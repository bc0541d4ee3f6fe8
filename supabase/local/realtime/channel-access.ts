/**
 * What one joined channel may do. Public channels: everything. Private
 * channels: read policies are evaluated at join (and again when the token
 * changes), write policies at the first send or track and then kept until the
 * token changes — as Realtime caches them in the channel process.
 */
import type pg from 'pg';
import { readPolicies, writePolicies, type AuthorizationContext, type ExtensionPolicies } from './authorization.ts';

const ALL: ExtensionPolicies = { broadcast: true, presence: true };

export class ChannelAccess {
  readonly isPrivate: boolean;
  private readonly pool: pg.Pool | undefined;
  private context: AuthorizationContext | undefined;
  private read: ExtensionPolicies;
  private write: Promise<ExtensionPolicies> | undefined;

  private constructor(pool: pg.Pool | undefined, context: AuthorizationContext | undefined, read: ExtensionPolicies) {
    this.pool = pool;
    this.context = context;
    this.read = read;
    this.isPrivate = context !== undefined;
  }

  static public(): ChannelAccess {
    return new ChannelAccess(undefined, undefined, ALL);
  }

  /** Evaluates the read policies; the channel may be joined only if `canJoin`. */
  static async private(pool: pg.Pool, context: AuthorizationContext): Promise<ChannelAccess> {
    return new ChannelAccess(pool, context, await readPolicies(pool, context));
  }

  /** Realtime admits a private join when at least one extension is readable. */
  get canJoin(): boolean {
    return this.read.broadcast || this.read.presence;
  }

  get canReceiveBroadcast(): boolean {
    return this.read.broadcast;
  }

  get canReceivePresence(): boolean {
    return this.read.presence;
  }

  async canSend(extension: 'broadcast' | 'presence'): Promise<boolean> {
    if (!this.pool || !this.context) return true;
    const pool = this.pool;
    const context = this.context;
    this.write ??= writePolicies(pool, context);
    try {
      return (await this.write)[extension];
    } catch (error) {
      this.write = undefined; // a failed check is not cached
      throw error;
    }
  }

  /** Read policies for a private join; undefined when the join must be refused (or the check failed: logged). */
  static async authorize(
    pool: pg.Pool,
    context: AuthorizationContext,
    log: (message: string, fields: Record<string, unknown>) => void,
  ): Promise<ChannelAccess | undefined> {
    try {
      const access = await ChannelAccess.private(pool, context);
      return access.canJoin ? access : undefined;
    } catch (error) {
      log('realtime: authorization check failed', { topic: context.topic, error: String(error) });
      return undefined;
    }
  }

  /** canSend, with a failed check (logged) counting as no. */
  async allows(extension: 'broadcast' | 'presence', log: (message: string, fields: Record<string, unknown>) => void): Promise<boolean> {
    try {
      return await this.canSend(extension);
    } catch (error) {
      log('realtime: write authorization check failed', { error: String(error) });
      return false;
    }
  }

  /** reauthorize, with a failed check (logged) counting as no. */
  async stillReadable(role: string, claimsJson: string, log: (message: string, fields: Record<string, unknown>) => void): Promise<boolean> {
    try {
      return await this.reauthorize(role, claimsJson);
    } catch (error) {
      log('realtime: authorization check failed', { error: String(error) });
      return false;
    }
  }

  /** A new token: read policies again; forget the cached write answer. Returns whether the channel may stay. */
  async reauthorize(role: string, claimsJson: string): Promise<boolean> {
    if (!this.pool || !this.context) return true;
    this.context = { ...this.context, role, claimsJson };
    this.write = undefined;
    this.read = await readPolicies(this.pool, this.context);
    return this.canJoin;
  }
}

/** Presence is per topic and privacy: a private and a public channel of one name do not share it. */
export function presenceTopicOf(channel: { readonly topic: string; readonly access: ChannelAccess }): string {
  return channel.access.isPrivate ? `private:${channel.topic}` : channel.topic;
}
