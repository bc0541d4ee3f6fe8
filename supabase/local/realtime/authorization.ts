/**
 * Realtime Authorization: what a token may do on a private channel, decided by
 * the project's RLS policies on `realtime.messages`, checked the way Supabase's
 * Realtime checks them — in a transaction that is always rolled back, as the
 * token's role with `request.jwt.claims` and `realtime.topic` set:
 * - read (at join): probe rows for `broadcast` and `presence` are inserted
 *   (before switching role), then selected back under RLS;
 * - write (lazily, at the first send/track): the same rows are inserted under
 *   RLS; an RLS refusal (42501) means no.
 */
import type pg from 'pg';

export interface AuthorizationContext {
  /** Channel name without `realtime:` (what realtime.topic() returns). */
  readonly topic: string;
  readonly role: string;
  /** The verified JWT claims as JSON text. */
  readonly claimsJson: string;
  /** Request headers as JSON text (request.headers); `{}` when unknown. */
  readonly headersJson?: string;
}

export interface ExtensionPolicies {
  readonly broadcast: boolean;
  readonly presence: boolean;
}

const INSUFFICIENT_PRIVILEGE = '42501';

async function inRolledBackTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    try {
      return await work(client);
    } finally {
      await client.query('rollback').catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      });
    }
  } finally {
    client.release(broken);
  }
}

async function impersonate(client: pg.PoolClient, context: AuthorizationContext): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true), set_config('request.headers', $4, true)`,
    [context.role, context.topic, context.claimsJson, context.headersJson ?? '{}'],
  );
}

/** May this identity receive broadcasts / presence on the topic (SELECT policies)? */
export function readPolicies(pool: pg.Pool, context: AuthorizationContext): Promise<ExtensionPolicies> {
  return inRolledBackTransaction(pool, async (client) => {
    const probes = await client.query<{ id: string; extension: string }>(
      `insert into realtime.messages (topic, extension) values ($1, 'broadcast'), ($1, 'presence') returning id, extension`,
      [context.topic],
    );
    const idOf = (extension: string) => probes.rows.find((row) => row.extension === extension)?.id;
    await impersonate(client, context);
    const { rows } = await client.query<{ extension: string }>(
      `select extension from realtime.messages
        where topic = $1 and ((extension = 'broadcast' and id = $2) or (extension = 'presence' and id = $3))`,
      [context.topic, idOf('broadcast'), idOf('presence')],
    );
    return { broadcast: rows.some((r) => r.extension === 'broadcast'), presence: rows.some((r) => r.extension === 'presence') };
  });
}

/** May this identity send broadcasts / track presence on the topic (INSERT policies)? */
export function writePolicies(pool: pg.Pool, context: AuthorizationContext): Promise<ExtensionPolicies> {
  return inRolledBackTransaction(pool, async (client) => {
    await impersonate(client, context);
    const mayInsert = async (extension: 'broadcast' | 'presence'): Promise<boolean> => {
      await client.query('savepoint write_probe');
      try {
        await client.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [context.topic, extension]);
        await client.query('release savepoint write_probe');
        return true;
      } catch (error) {
        await client.query('rollback to savepoint write_probe');
        if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return false;
        throw error;
      }
    };
    const broadcast = await mayInsert('broadcast');
    const presence = await mayInsert('presence');
    return { broadcast, presence };
  });
}
