/**
 * Who a REST (or admin) request runs as, decided the way Supabase's gateway and
 * PostgREST decide it: the `apikey` header must be one of the project's keys —
 * a JWT signed with the project's secret whose role is `anon` or `service_role`,
 * or the publishable / secret key (the secret key never from a browser); the
 * JWT is the `Authorization: Bearer` token, or the API key itself when there is
 * none (an opaque key stands for its role's claims); its `role` claim picks the
 * database role.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StackContext } from '../context.ts';
import { verifyJwt, type JwtClaims } from './jwt.ts';
import { isOpaqueKey, looksLikeBrowser, opaqueKeyRole } from './api-keys.ts';
import { verifyToken } from './token-verifier.ts';

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

const invalidApiKey: RoleError = {
  status: 401,
  body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
};

/** Whether a JWT presented as `apikey` is one: HS256 with the project's secret, unexpired, role anon or service_role. */
async function isLegacyApiKey(ctx: RoleContext, apiKey: string): Promise<boolean> {
  if (apiKey.split('.').length !== 3) return false;
  const verified = await verifyJwt(ctx.keys.jwtSecret, apiKey);
  return verified.ok && (verified.claims.role === 'anon' || verified.claims.role === 'service_role');
}

/** The gateway's API key check (answers in the gateway's own error shape). */
export async function checkApiKey(ctx: RoleContext, headers: IncomingHttpHeaders): Promise<{ ok: true; apiKey: string } | { ok: false; error: RoleError }> {
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
  if (isOpaqueKey(apiKey)) {
    const role = opaqueKeyRole(ctx.keys, apiKey);
    if (role === undefined) return { ok: false, error: invalidApiKey };
    if (role === 'service_role' && looksLikeBrowser(header(headers, 'user-agent'))) {
      return {
        ok: false,
        error: {
          status: 401,
          body: { message: 'Forbidden use of secret API key in browser', hint: 'Secret API keys can only be used in a protected environment and should never be used in a browser.' },
        },
      };
    }
    return { ok: true, apiKey };
  }
  if (!(await isLegacyApiKey(ctx, apiKey))) return { ok: false, error: invalidApiKey };
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
  const key = await checkApiKey(ctx, headers);
  if (!key.ok) return { error: key.error };
  const token = bearerToken(headers) ?? key.apiKey;

  const parts = token.split('.').length;
  if (parts !== 3 && opaqueKeyRole(ctx.keys, token) === undefined) return { error: jwtError(`Expected 3 parts in JWT; got ${parts}`, 'PGRST301') };
  const verified = await verifyToken(ctx.keys, token, { revocations: ctx.revocations });
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
