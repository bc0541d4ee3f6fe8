/**
 * Sessions and rotating refresh tokens in auth.sessions / auth.refresh_tokens,
 * and the access tokens issued for them — GoTrue's password and refresh-token
 * grants. A refresh token works once: using it revokes it and issues its child.
 * Presenting a revoked one is refused (refresh_token_already_used) and revokes
 * every token of that session, as GoTrue does outside its reuse interval. This
 * stack has no reuse interval: supabase-js never refreshes one token twice, so
 * any reuse it sees is a bug the tests should catch.
 */
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { StackContext } from '../context.ts';
import { signJwt } from './jwt.ts';
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

type TokenContext = Pick<StackContext, 'keys' | 'revocations' | 'accessTokenTtlSeconds'>;

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
  const iat = ctx.revocations.issuedAtFor(user.id);
  const exp = iat + ctx.accessTokenTtlSeconds;
  const token = await signJwt(ctx.keys.jwtSecret, {
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
    const users = await client.query<UserRow>(`update auth.users set last_sign_in_at = now() where id = $1 returning ${USER_COLUMNS}`, [userId]);
    const sessions = await client.query<{ id: string; created_at: Date }>(
      'insert into auth.sessions (user_id) values ($1) returning id, created_at',
      [userId],
    );
    const token = newRefreshToken();
    const sessionRow = sessions.rows[0] as { id: string; created_at: Date };
    await client.query('insert into auth.refresh_tokens (token, user_id, session_id, revoked) values ($1, $2, $3, false)', [
      token,
      userId,
      sessionRow.id,
    ]);
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
}

type RefreshOutcome =
  | { ok: true; user: UserRow; session: { id: string; created_at: Date }; refreshToken: string }
  | { ok: false; error: Error };

/** The refresh-token grant: rotate the token, or explain (GoTrue's codes) why not. */
export async function refresh(ctx: TokenContext & Pick<StackContext, 'db'>, issuer: string, presented: string): Promise<SessionResponse> {
  if (presented === '') throw new AuthOAuthError('invalid_request', 'refresh_token required');
  // Refusals that must still change the database (family revocation) commit and report through `ok: false`.
  const outcome = await inTransaction<RefreshOutcome>(ctx.db.pool, async (client) => {
    const found = await client.query<TokenRow>(
      `select rt.id, rt.revoked, rt.user_id, rt.session_id, s.created_at as session_created_at
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
    if (token.revoked === true) {
      await client.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked is not true', [
        token.session_id,
      ]);
      return { ok: false, error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
    }
    await client.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [token.id]);
    const child = newRefreshToken();
    await client.query('insert into auth.refresh_tokens (token, user_id, session_id, revoked, parent) values ($1, $2, $3, false, $4)', [
      child,
      token.user_id,
      token.session_id,
      presented,
    ]);
    await client.query('update auth.sessions set updated_at = now() where id = $1', [token.session_id]);
    const users = await client.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [token.user_id]);
    const user = users.rows[0];
    if (user === undefined) return { ok: false, error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
    return { ok: true, user, session: { id: token.session_id, created_at: token.session_created_at }, refreshToken: child };
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
