/**
 * Runs statements the way PostgREST and Realtime do for a request: inside a
 * transaction, `SET LOCAL ROLE` to the JWT's role and the claims in
 * request.jwt.claims. The transaction is always rolled back, so tests never
 * leave changes behind.
 */
import type pg from 'pg';
import { AGENTS, type Owner } from './seed-ids.ts';

export type Actor = { readonly kind: 'agent'; readonly owner: Owner } | { readonly kind: 'anon' } | { readonly kind: 'service_role' };

export const ACTORS: readonly Actor[] = [
  { kind: 'agent', owner: 'a' },
  { kind: 'agent', owner: 'b' },
  { kind: 'anon' },
  { kind: 'service_role' },
];

export function actorName(actor: Actor): string {
  return actor.kind === 'agent' ? `agent ${actor.owner.toUpperCase()}` : actor.kind;
}

function claimsOf(actor: Actor): { role: string; claims: Record<string, unknown> } {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  switch (actor.kind) {
    case 'agent': {
      const agent = AGENTS[actor.owner];
      return {
        role: 'authenticated',
        claims: { sub: agent.id, role: 'authenticated', aud: 'authenticated', email: agent.email, exp },
      };
    }
    case 'anon':
      return { role: 'anon', claims: { role: 'anon', exp } };
    case 'service_role':
      return { role: 'service_role', claims: { role: 'service_role', exp } };
  }
}

export interface AsActorOptions {
  /** Runs first, still as the superuser, in the same transaction (to arrange a case). */
  readonly setup?: (client: pg.ClientBase) => Promise<unknown>;
}

export async function asActor<T>(
  pool: pg.Pool,
  actor: Actor,
  work: (client: pg.ClientBase) => Promise<T>,
  options: AsActorOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await options.setup?.(client);
    const { role, claims } = claimsOf(actor);
    await client.query(`set local role ${client.escapeIdentifier(role)}`);
    await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
    return await work(client);
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

/** The SQLSTATE of a failed statement, or 'ok'. */
export async function outcomeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw error;
  }
}
