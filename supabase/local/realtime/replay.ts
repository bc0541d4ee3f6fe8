/**
 * Broadcast replay (`config.broadcast.replay: {since, limit}`): on a private
 * channel's join, the latest stored `broadcast` messages of the topic inserted
 * at or after `since` (epoch ms), at most 25, oldest first, each with metadata
 * `{"id", "replayed": true}`. Realtime refuses replay on public channels.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { UserBroadcast } from './wire.ts';

const HARD_LIMIT = 25;

export type ReplayRequest = { kind: 'none' } | { kind: 'invalid' } | { kind: 'replay'; since: number; limit: number };

const joinSchema = z
  .object({ config: z.object({ broadcast: z.object({ replay: z.unknown() }).partial().nullish().catch(undefined) }).partial().nullish().catch(undefined) })
  .catch({});

const replaySchema = z.object({
  since: z.number().int().nonnegative(),
  limit: z.number().int().optional(),
});

/** Reads `config.broadcast.replay` from a raw `phx_join` payload. */
export function parseReplayRequest(joinPayload: unknown): ReplayRequest {
  const replay = joinSchema.parse(joinPayload).config?.broadcast?.replay;
  if (replay === undefined || replay === null) return { kind: 'none' };
  const parsed = replaySchema.safeParse(replay);
  if (!parsed.success) return { kind: 'invalid' };
  return { kind: 'replay', since: parsed.data.since, limit: Math.max(1, Math.min(parsed.data.limit ?? HARD_LIMIT, HARD_LIMIT)) };
}

export interface ReplayedBroadcast {
  readonly id: string;
  readonly broadcast: UserBroadcast;
}

/** The messages to replay, oldest first (read as the server, like Realtime: the join already authorized reading). */
export async function loadReplay(pool: pg.Pool, topic: string, since: number, limit: number): Promise<ReplayedBroadcast[]> {
  const { rows } = await pool.query<{ id: string; event: string | null; payload: string | null; binary_payload: Buffer | null }>(
    `select id, event, payload::text as payload, binary_payload from realtime.messages
      where topic = $1 and private is true and extension = 'broadcast'
        and inserted_at >= (to_timestamp($2::float8 / 1000) at time zone 'utc')
      order by inserted_at desc limit $3`,
    [topic, since, limit],
  );
  return rows.reverse().map((row) => {
    const binary = row.binary_payload !== null;
    const body = binary ? row.binary_payload! : Buffer.from(JSON.stringify(JSON.parse(row.payload ?? '{}')), 'utf8');
    return { id: row.id, broadcast: { event: row.event ?? '', encoding: binary ? 0 : 1, body, meta: { replayed: true, id: row.id } } };
  });
}
