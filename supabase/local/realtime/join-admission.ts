/**
 * The part of a `phx_join` that Realtime Authorization and replay decide, in
 * Realtime's order: a private channel needs a read policy for broadcast or
 * presence; replay is only for private channels, needs valid parameters, and
 * its messages are loaded before the join is answered.
 */
import type pg from 'pg';
import type { JwtClaims } from '../auth/jwt.ts';
import type { StackLog } from '../context.ts';
import { ChannelAccess } from './channel-access.ts';
import { loadReplay, parseReplayRequest, type ReplayedBroadcast } from './replay.ts';

export type JoinAdmission = { ok: true; access: ChannelAccess; replayed: ReplayedBroadcast[] } | { ok: false; reason: string };

export async function admitJoin(
  pool: pg.Pool,
  log: StackLog,
  join: { name: string; isPrivate: boolean; claims: JwtClaims; payload: unknown },
): Promise<JoinAdmission> {
  let access = ChannelAccess.public();
  if (join.isPrivate) {
    const context = { topic: join.name, role: join.claims.role, claimsJson: JSON.stringify(join.claims) };
    const authorized = await ChannelAccess.authorize(pool, context, (text, fields) => log('warn', text, fields));
    if (!authorized) return { ok: false, reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${join.name}` };
    access = authorized;
  }
  const replay = parseReplayRequest(join.payload);
  if (replay.kind === 'none') return { ok: true, access, replayed: [] };
  if (!join.isPrivate) return { ok: false, reason: 'UnableToReplayMessages: Replay is not allowed for public channels' };
  if (replay.kind === 'invalid') return { ok: false, reason: 'UnableToReplayMessages: Replay params are not valid' };
  try {
    return { ok: true, access, replayed: await loadReplay(pool, join.name, replay.since, replay.limit) };
  } catch (error) {
    log('warn', 'realtime: replay failed', { topic: join.name, error: String(error) });
    return { ok: false, reason: 'UnableToReplayMessages: Realtime was unable to replay messages' };
  }
}
