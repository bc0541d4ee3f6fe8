/**
 * Runs one REST request in one transaction as the request's role, with the JWT
 * claims where `auth.uid()`, `auth.jwt()` and RLS policies read them — what
 * PostgREST does before every request.
 */
import type { Pool, PoolClient } from 'pg';
import type { JwtClaims } from '../auth/jwt.ts';
import type { RequestRole } from '../auth/request-role.ts';
import { quoteIdent } from './identifiers.ts';

export interface RequestIdentity {
  readonly role: RequestRole;
  readonly claims: JwtClaims;
}

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

export interface TransactionOutcome<T> {
  readonly value: T;
  /** False rolls the transaction back (tx=rollback, or an answer that must not stick). */
  readonly commit: boolean;
}

const ROLES: readonly RequestRole[] = ['anon', 'authenticated', 'service_role'];

async function configure(client: PoolClient, identity: RequestIdentity, request: RequestInfo): Promise<void> {
  if (!ROLES.includes(identity.role)) throw new Error(`refusing to run as role ${identity.role}`);
  await client.query(`SET LOCAL ROLE ${quoteIdent(identity.role)}`);
  await client.query(
    `SELECT set_config('search_path', 'public, extensions', true),
            set_config('request.jwt.claims', $1, true),
            set_config('request.jwt.claim.sub', $2, true),
            set_config('request.jwt.claim.role', $3, true),
            set_config('request.method', $4, true),
            set_config('request.path', $5, true),
            set_config('request.headers', $6, true)`,
    [
      JSON.stringify(identity.claims),
      identity.claims.sub ?? '',
      identity.role,
      request.method,
      request.path,
      JSON.stringify(request.headers),
    ],
  );
}

export async function inRequestTransaction<T>(
  pool: Pool,
  identity: RequestIdentity,
  request: RequestInfo,
  options: { readOnly: boolean },
  work: (client: PoolClient) => Promise<TransactionOutcome<T>>,
): Promise<T> {
  const client = await pool.connect();
  // A connection whose state is unknown (BEGIN or ROLLBACK failed) goes back to the pool destroyed.
  let broken: Error | undefined;
  try {
    try {
      await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    } catch (error) {
      broken = error as Error;
      throw error;
    }
    try {
      await configure(client, identity, request);
      const outcome = await work(client);
      await client.query(outcome.commit ? 'COMMIT' : 'ROLLBACK');
      return outcome.value;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
