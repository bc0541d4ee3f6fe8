/**
 * Sessions and rotating refresh tokens in auth.sessions / auth.refresh_tokens,
 * and the access tokens issued for them — GoTrue's password and refresh-token
 * grants. Using a refresh token revokes it and issues its child. A revoked one
 * presented again is handled as GoTrue's RefreshTokenGrant does:
 *   - it is the parent of the session's active token (the client lost the answer
 *     to its last refresh): the active token is returned again, nothing rotates;
 *   - it was revoked less than the reuse interval ago (10 s by default): it
 *     rotates once more;
 *   - otherwise: refused (refresh_token_already_used), and every token of the
 *     session is revoked.
 * Times come from the context's clock, so tests can move past the interval.
 */
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { StackContext } from '../context.ts';
import { signUserJwt } from './jwt.ts';
import { AuthOAuthError, badRequest } from './auth-errors.ts';
import { USER_COLUMNS, userJson, type UserRow } from './users.ts';

export interface SessionResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

type TokenContext = Pick<StackContext, 'keys' | 'revocations' | 'accessTokenTtlSeconds' | 'now'>;

function newRefreshToken(): string {
  return randomBytes(18).toString('base64url');
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    try {
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** Claims as GoTrue puts them in an access token. */
async function accessToken(
  ctx: TokenContext,
  issuer: string,
  user: UserRow,
  sessionId: string,
  signedInAt: Date,
): Promise<{ token: string; expiresAt: number }> {
  const iat = ctx.revocations.issuedAtFor(user.id, Math.floor(ctx.now() / 1000));
  const exp = iat + ctx.accessTokenTtlSeconds;
  const token = await signUserJwt(ctx.keys, {
    iss: issuer,
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp,
    iat,
    email: user.email,
    phone: '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: Math.floor(signedInAt.getTime() / 1000) }],
    session_id: sessionId,
    is_anonymous: false,
  });
  return { token, expiresAt: exp };
}

async function sessionResponse(
  ctx: TokenContext,
  issuer: string,
  user: UserRow,
  session: { id: string; created_at: Date },
  refreshToken: string,
): Promise<SessionResponse> {
  const { token, expiresAt } = await accessToken(ctx, issuer, user, session.id, session.created_at);
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: ctx.accessTokenTtlSeconds,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

/** A new session for a user whose password was just checked. */
export async function signIn(ctx: TokenContext & Pick<StackContext, 'db'>, issuer: string, userId: string): Promise<SessionResponse> {
  const { user, session, refreshToken } = await inTransaction(ctx.db.pool, async (client) => {
    const now = new Date(ctx.now());
    const users = await client.query<UserRow>(`update auth.users set last_sign_in_at = $2 where id = $1 returning ${USER_COLUMNS}`, [userId, now]);
    const sessions = await client.query<{ id: string; created_at: Date }>(
      'insert into auth.sessions (user_id, created_at, updated_at) values ($1, $2, $2) returning id, created_at',
      [userId, now],
    );
    const token = newRefreshToken();
    const sessionRow = sessions.rows[0] as { id: string; created_at: Date };
    await client.query(
      'insert into auth.refresh_tokens (token, user_id, session_id, revoked, created_at, updated_at) values ($1, $2, $3, false, $4, $4)',
      [token, userId, sessionRow.id, now],
    );
    return { user: users.rows[0] as UserRow, session: sessionRow, refreshToken: token };
  });
  return sessionResponse(ctx, issuer, user, session, refreshToken);
}

interface TokenRow {
  id: string;
  revoked: boolean | null;
  user_id: string | null;
  session_id: string | null;
  session_created_at: Date | null;
  updated_at: Date;
}

type RefreshOutcome =
  | { ok: true; user: UserRow; session: { id: string; created_at: Date }; refreshToken: string }
  | { ok: false; error: Error };

const alreadyUsed = () => badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');

/**
 * For a revoked token: the session's active token when the presented one is its
 * parent (returned again as is), `rotate` within the reuse interval, or
 * `refuse` (the family is revoked by the caller).
 */
async function reuseOf(
  client: PoolClient,
  token: TokenRow & { session_id: string },
  presented: string,
  nowMs: number,
  reuseIntervalSeconds: number,
): Promise<{ kind: 'active'; token: string } | { kind: 'rotate' } | { kind: 'refuse' }> {
  const active = await client.query<{ token: string; parent: string | null }>(
    'select token, parent from auth.refresh_tokens where session_id = $1 and revoked is not true order by id desc limit 1',
    [token.session_id],
  );
  const current = active.rows[0];
  if (current !== undefined && current.parent === presented) return { kind: 'active', token: current.token };
  if (nowMs <= token.updated_at.getTime() + reuseIntervalSeconds * 1000) return { kind: 'rotate' };
  return { kind: 'refuse' };
}

/** The refresh-token grant: rotate the token, or explain (GoTrue's codes) why not. */
export async function refresh(
  ctx: TokenContext & Pick<StackContext, 'db' | 'auth'>,
  issuer: string,
  presented: string,
): Promise<SessionResponse> {
  if (presented === '') throw new AuthOAuthError('invalid_request', 'refresh_token required');
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  // Refusals that must still change the database (family revocation) commit and report through `ok: false`.
  const outcome = await inTransaction<RefreshOutcome>(ctx.db.pool, async (client) => {
    const found = await client.query<TokenRow>(
      `select rt.id, rt.revoked, rt.user_id, rt.session_id, rt.updated_at, s.created_at as session_created_at
       from auth.refresh_tokens rt
       left join auth.sessions s on s.id = rt.session_id
       where rt.token = $1
       for update of rt`,
      [presented],
    );
    const token = found.rows[0];
    if (token === undefined || token.user_id === null) {
      return { ok: false, error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
    }
    if (token.session_id === null || token.session_created_at === null) {
      await client.query('delete from auth.refresh_tokens where id = $1', [token.id]);
      return { ok: false, error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found') };
    }
    const sessionId = token.session_id;
    let issued: string | undefined;
    if (token.revoked === true) {
      const reuse = await reuseOf(client, { ...token, session_id: sessionId }, presented, nowMs, ctx.auth.refreshTokenReuseIntervalSeconds);
      if (reuse.kind === 'refuse') {
        // updated_at stays: it is when each token was rotated, which the interval is measured from.
        await client.query('update auth.refresh_tokens set revoked = true where session_id = $1 and revoked is not true', [sessionId]);
        return { ok: false, error: alreadyUsed() };
      }
      if (reuse.kind === 'active') issued = reuse.token;
    }
    if (issued === undefined) {
      await client.query('update auth.refresh_tokens set revoked = true, updated_at = $2 where id = $1', [token.id, now]);
      issued = newRefreshToken();
      await client.query(
        'insert into auth.refresh_tokens (token, user_id, session_id, revoked, parent, created_at, updated_at) values ($1, $2, $3, false, $4, $5, $5)',
        [issued, token.user_id, sessionId, presented, now],
      );
    }
    await client.query('update auth.sessions set updated_at = $2 where id = $1', [sessionId, now]);
    const users = await client.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [token.user_id]);
    const user = users.rows[0];
    if (user === undefined) return { ok: false, error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
    return { ok: true, user, session: { id: sessionId, created_at: token.session_created_at }, refreshToken: issued };
  });
  if (!outcome.ok) throw outcome.error;
  return sessionResponse(ctx, issuer, outcome.user, outcome.session, outcome.refreshToken);
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Ends sessions; their refresh tokens go with them (ON DELETE CASCADE). */
export async function logout(pool: Pool, userId: string, sessionId: string | undefined, scope: LogoutScope): Promise<void> {
  if (sessionId !== undefined && scope === 'local') {
    await pool.query('delete from auth.sessions where id = $1', [sessionId]);
  } else if (sessionId !== undefined && scope === 'others') {
    await pool.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  } else {
    await pool.query('delete from auth.sessions where user_id = $1', [userId]);
  }
}
