/**
 * /auth/v1 through the real supabase-js client, over real sockets, on the
 * seeded PostgreSQL: what signInWithPassword, refreshSession (and auto refresh),
 * getUser and signOut see, including GoTrue's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startTestServer, type TestServer } from './test-server.ts';

const AGENT_A = { email: 'agent.a@beacon.local', password: 'beacon-demo-a' };
const AGENT_A_ID = 'a0000000-0000-4000-8000-000000000001';

describe('/auth/v1', () => {
  let server: TestServer;
  const clients: SupabaseClient[] = [];

  const client = (url = server.url): SupabaseClient => {
    const created = createClient(url, server.context.keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    clients.push(created);
    return created;
  };

  const rawRefresh = (refreshToken: string) =>
    fetch(`${server.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { apikey: server.context.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    for (const created of clients) await created.removeAllChannels();
    await server?.stop();
  });

  it('signs in with a password and returns a GoTrue session', async () => {
    const before = Date.now();
    const { data, error } = await client().auth.signInWithPassword(AGENT_A);
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ id: AGENT_A_ID, email: AGENT_A.email, aud: 'authenticated', role: 'authenticated' });
    expect(data.session).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: AGENT_A_ID, role: 'authenticated', aud: 'authenticated', email: AGENT_A.email, aal: 'aal1' });
    expect(claims.exp).toBe(data.session!.expires_at);
    expect(typeof claims.session_id).toBe('string');
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);

    const { rows } = await server.context.db.pool.query<{ last_sign_in_at: Date | null }>('select last_sign_in_at from auth.users where id = $1', [AGENT_A_ID]);
    // Set by this sign-in: between the moment it was asked for and now (same machine clock; no speed assumed).
    expect(rows[0]!.last_sign_in_at!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(rows[0]!.last_sign_in_at!.getTime()).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    for (const credentials of [{ ...AGENT_A, password: 'wrong' }, { email: 'nobody@beacon.local', password: 'beacon-demo-a' }]) {
      const { data, error } = await client().auth.signInWithPassword(credentials);
      expect(data.session).toBeNull();
      expect(error).toMatchObject({ name: 'AuthApiError', status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    }
  });

  it('answers in the legacy error shape when no API version is sent', async () => {
    const response = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: server.context.keys.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...AGENT_A, password: 'wrong' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  });

  it('rotates refresh tokens: the new one works, and the just-rotated one gives back the active one (GoTrue)', async () => {
    const auth = client().auth;
    const { data: signedIn } = await auth.signInWithPassword(AGENT_A);
    const first = signedIn.session!;
    const { data: refreshed, error } = await auth.refreshSession({ refresh_token: first.refresh_token });
    expect(error).toBeNull();
    expect(refreshed.session!.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.user!.id).toBe(AGENT_A_ID);

    // The client lost the answer to its refresh: GoTrue answers the session's active token again.
    const reused = await client().auth.refreshSession({ refresh_token: first.refresh_token });
    expect(reused.error).toBeNull();
    expect(reused.data.session!.refresh_token).toBe(refreshed.session!.refresh_token);
    // (The reuse interval and the family revocation are in sessions.test.ts, with a controlled clock.)
  });

  it('refuses an unknown refresh token and a missing one', async () => {
    const unknown = await client().auth.refreshSession({ refresh_token: 'not-a-token' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' });

    const missing = await rawRefresh('');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
  });

  it('returns the user for a valid access token, and GoTrue errors for bad ones', async () => {
    const auth = client().auth;
    const { data } = await auth.signInWithPassword(AGENT_A);
    const { data: user, error } = await auth.getUser();
    expect(error).toBeNull();
    expect(user.user).toMatchObject({ id: AGENT_A_ID, email: AGENT_A.email });

    const forged = `${data.session!.access_token.slice(0, -4)}AAAA`;
    const bad = await client().auth.getUser(forged);
    expect(bad.error).toMatchObject({ status: 403, code: 'bad_jwt' });
    expect(bad.error!.message).toMatch(/^invalid JWT: unable to parse or verify signature, /);

    const garbage = await client().auth.getUser('garbage');
    expect(garbage.error).toMatchObject({ status: 403, code: 'bad_jwt' });

    const anonKey = await client().auth.getUser(server.context.keys.anonKey);
    expect(anonKey.error).toMatchObject({ status: 403, code: 'bad_jwt', message: 'invalid claim: missing sub claim' });
  });

  it('refuses a token revoked through the control surface as expired', async () => {
    const auth = client().auth;
    const { data } = await auth.signInWithPassword(AGENT_A);
    server.context.revocations.expireNow(AGENT_A_ID);
    try {
      const { error } = await client().auth.getUser(data.session!.access_token);
      expect(error).toMatchObject({ status: 403, code: 'bad_jwt', message: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired' });
      // A token issued after the cut-off works, even within the same second.
      const { data: refreshed } = await auth.refreshSession();
      expect((await client().auth.getUser(refreshed.session!.access_token)).error).toBeNull();
    } finally {
      server.context.revocations.clear();
    }
  });

  it('signs out: the refresh token and the session are gone', async () => {
    const auth = client().auth;
    const { data } = await auth.signInWithPassword(AGENT_A);
    const { error } = await auth.signOut({ scope: 'local' });
    expect(error).toBeNull();
    expect((await auth.getSession()).data.session).toBeNull();

    const refreshed = await client().auth.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refreshed.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const user = await client().auth.getUser(data.session!.access_token);
    expect(user.error).toMatchObject({ name: 'AuthSessionMissingError' });
  });

  it('signs out everywhere with the global scope, and only elsewhere with others', async () => {
    const [laptop, phone, tablet] = [client().auth, client().auth, client().auth];
    await laptop.signInWithPassword(AGENT_A);
    const phoneSession = (await phone.signInWithPassword(AGENT_A)).data.session!;
    const tabletSession = (await tablet.signInWithPassword(AGENT_A)).data.session!;

    expect((await tablet.signOut({ scope: 'others' })).error).toBeNull();
    expect((await client().auth.refreshSession({ refresh_token: phoneSession.refresh_token })).error).toMatchObject({ code: 'refresh_token_not_found' });
    const stillIn = await client().auth.refreshSession({ refresh_token: tabletSession.refresh_token });
    expect(stillIn.error).toBeNull();

    const other = client().auth;
    await other.setSession(stillIn.data.session!);
    expect((await other.signOut()).error).toBeNull();
    expect((await client().auth.refreshSession({ refresh_token: stillIn.data.session!.refresh_token })).error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it('lets supabase-js refresh an expired access token by itself', async () => {
    const shortLived = await server.withTokenTtl(1);
    const restClient = client(shortLived.url);
    const { data } = await restClient.auth.signInWithPassword(AGENT_A);
    const expiredToken = data.session!.access_token;
    await new Promise((resolve) => setTimeout(resolve, 2100));

    const direct = await fetch(`${shortLived.url}/rest/v1/user_profiles?select=id`, {
      headers: { apikey: server.context.keys.anonKey, authorization: `Bearer ${expiredToken}` },
    });
    expect(direct.status).toBe(401);
    expect(await direct.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });

    const { data: rows, error } = await restClient.from('user_profiles').select('id');
    expect(error).toBeNull();
    expect(rows).toEqual([{ id: AGENT_A_ID }]);
    const { data: after } = await restClient.auth.getSession();
    expect(after.session!.access_token).not.toBe(expiredToken);
  });

  it('requires a valid apikey, as the Supabase gateway does', async () => {
    const missing = await fetch(`${server.url}/auth/v1/user`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'No API key found in request' });
    const wrong = await fetch(`${server.url}/auth/v1/user`, { headers: { apikey: 'sb_not_a_key' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });

    // CORS preflights are answered by the gateway, without a key.
    const preflight = await fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey, content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('apikey, content-type');
  });
});
