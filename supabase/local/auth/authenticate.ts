/**
 * GoTrue's requireAuthentication: a Bearer access token, verified (HS256 or
 * ES256; an opaque API key stands for its role's claims), whose `sub` is an
 * existing user and whose `session_id` (if any) an existing session; and
 * requireAdmin: a verified token whose role is an admin role.
 */
import type { IncomingMessage } from 'node:http';
import type { StackContext } from '../context.ts';
import { forbidden, badRequest, unauthorized } from './auth-errors.ts';
import type { JwtClaims } from './jwt.ts';
import { opaqueKeyRole } from './api-keys.ts';
import { verifyToken } from './token-verifier.ts';
import { bearerToken } from './request-role.ts';
import { findUserById, type UserRow } from './users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface Authenticated {
  readonly user: UserRow;
  readonly sessionId: string | undefined;
}

const invalidJwt = (reason: string) => forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);

/** GoTrue's admin roles (GOTRUE_JWT_ADMIN_ROLES default). */
const ADMIN_ROLES = ['service_role', 'supabase_admin'];

/** The verified claims of the request's Bearer token, or GoTrue's error. */
async function bearerClaims(ctx: Pick<StackContext, 'keys' | 'revocations'>, req: IncomingMessage): Promise<JwtClaims> {
  const token = bearerToken(req.headers);
  if (token === undefined) throw unauthorized('no_authorization', 'This endpoint requires a Bearer token');

  // The reasons are golang-jwt's words, which GoTrue passes on.
  if (token.split('.').length !== 3 && opaqueKeyRole(ctx.keys, token) === undefined) {
    throw invalidJwt('token is malformed: token contains an invalid number of segments');
  }
  const verified = await verifyToken(ctx.keys, token, { revocations: ctx.revocations });
  if (!verified.ok) {
    throw invalidJwt(verified.reason === 'expired' ? 'token has invalid claims: token is expired' : 'token signature is invalid: signature is invalid');
  }
  return verified.claims;
}

/** GoTrue's requireAdmin, for /admin/*: the token's role must be an admin role. */
export async function requireAdmin(ctx: Pick<StackContext, 'keys' | 'revocations'>, req: IncomingMessage): Promise<JwtClaims> {
  const claims = await bearerClaims(ctx, req);
  if (!ADMIN_ROLES.includes(claims.role)) throw forbidden('not_admin', 'User not allowed');
  return claims;
}

export async function authenticate(ctx: Pick<StackContext, 'db' | 'keys' | 'revocations'>, req: IncomingMessage): Promise<Authenticated> {
  const { sub, session_id: sessionId } = await bearerClaims(ctx, req);
  if (sub === undefined || sub === '') throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID.test(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');

  const user = await findUserById(ctx.db.pool, sub);
  if (user === undefined) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');

  if (sessionId === undefined || sessionId === '' || sessionId === NIL_UUID) return { user, sessionId: undefined };
  if (!UUID.test(sessionId)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
  const { rowCount } = await ctx.db.pool.query('select 1 from auth.sessions where id = $1', [sessionId]);
  if (rowCount === 0) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
  return { user, sessionId };
}
