/**
 * Who a REST (or admin) request runs as, decided the way Supabase's gateway and
 * PostgREST decide it: the `apikey` header must be one of the project's keys;
 * the JWT is the `Authorization: Bearer` token, or the API key itself when there
 * is none; its `role` claim picks the database role.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StackContext } from '../context.ts';
import { verifyJwt, type JwtClaims } from './jwt.ts';

export type RequestRole = 'anon' | 'authenticated' | 'service_role';

const REQUEST_ROLES: readonly RequestRole[] = ['anon', 'authenticated', 'service_role'];

export interface RoleError {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export type ResolvedRole = { role: RequestRole; claims: JwtClaims; token: string } | { error: RoleError };

type RoleContext = Pick<StackContext, 'keys' | 'revocations'>;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The gateway's API key check (answers in the gateway's own error shape). */
export function checkApiKey(ctx: RoleContext, headers: IncomingHttpHeaders): { ok: true; apiKey: string } | { ok: false; error: RoleError } {
  const apiKey = header(headers, 'apikey');
  if (apiKey === undefined || apiKey === '') {
    return {
      ok: false,
      error: {
        status: 401,
        body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
      },
    };
  }
  if (apiKey !== ctx.keys.anonKey && apiKey !== ctx.keys.serviceRoleKey) {
    return {
      ok: false,
      error: {
        status: 401,
        body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
      },
    };
  }
  return { ok: true, apiKey };
}

/** `Authorization: Bearer <token>` (scheme case-insensitive), or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = header(headers, 'authorization');
  const match = value === undefined ? null : /^bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

function jwtError(message: string, code: 'PGRST301' | 'PGRST303'): RoleError {
  return {
    status: 401,
    body: { code, details: null, hint: null, message },
    headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` },
  };
}

export async function resolveRequestRole(ctx: RoleContext, headers: IncomingHttpHeaders): Promise<ResolvedRole> {
  const key = checkApiKey(ctx, headers);
  if (!key.ok) return { error: key.error };
  const token = bearerToken(headers) ?? key.apiKey;

  const parts = token.split('.').length;
  if (parts !== 3) return { error: jwtError(`Expected 3 parts in JWT; got ${parts}`, 'PGRST301') };
  const verified = await verifyJwt(ctx.keys.jwtSecret, token, { revocations: ctx.revocations });
  if (!verified.ok) {
    return { error: verified.reason === 'expired' ? jwtError('JWT expired', 'PGRST303') : jwtError('JWT cryptographic operation failed', 'PGRST301') };
  }
  const role = REQUEST_ROLES.find((candidate) => candidate === verified.claims.role);
  if (role === undefined) {
    // PostgREST would try `SET ROLE` and PostgreSQL would refuse; only the three API roles exist for us.
    return {
      error: {
        status: 401,
        body: { code: '22023', details: null, hint: null, message: `role "${verified.claims.role}" does not exist` },
        headers: { 'WWW-Authenticate': 'Bearer' },
      },
    };
  }
  return { role, claims: verified.claims, token };
}
