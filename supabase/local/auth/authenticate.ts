/**
 * GoTrue's requireAuthentication: a Bearer access token, verified, whose `sub`
 * is an existing user and whose `session_id` (if any) an existing session.
 */
import type { IncomingMessage } from 'node:http';
import type { StackContext } from '../context.ts';
import { forbidden, badRequest, unauthorized } from './auth-errors.ts';
import { verifyJwt } from './jwt.ts';
import { bearerToken } from './request-role.ts';
import { findUserById, type UserRow } from './users.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export interface Authenticated {
  readonly user: UserRow;
  readonly sessionId: string | undefined;
}

const invalidJwt = (reason: string) => forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);

export async function authenticate(ctx: Pick<StackContext, 'db' | 'keys' | 'revocations'>, req: IncomingMessage): Promise<Authenticated> {
  const token = bearerToken(req.headers);
  if (token === undefined) throw unauthorized('no_authorization', 'This endpoint requires a Bearer token');

  // The reasons are golang-jwt's words, which GoTrue passes on.
  if (token.split('.').length !== 3) throw invalidJwt('token is malformed: token contains an invalid number of segments');
  const verified = await verifyJwt(ctx.keys.jwtSecret, token, { revocations: ctx.revocations });
  if (!verified.ok) {
    throw invalidJwt(verified.reason === 'expired' ? 'token has invalid claims: token is expired' : 'token signature is invalid: signature is invalid');
  }
  const { sub, session_id: sessionId } = verified.claims;
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
