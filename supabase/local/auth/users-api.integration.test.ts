/**
 * Signup and the admin users API through the unmodified supabase-js client
 * (supabase.auth.signUp, supabase.auth.admin.*), with GoTrue's error codes, on
 * the seeded PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startTestServer, type TestServer } from './test-server.ts';
import { DEFAULT_AUTH_SETTINGS } from '../context.ts';

const NO_SESSION = { auth: { persistSession: false, autoRefreshToken: false } } as const;
let counter = 0;
const freshEmail = () => `user${Date.now()}.${++counter}@example.test`;

describe('signup and the admin users API', () => {
  let server: TestServer;
  const clients: SupabaseClient[] = [];
  const make = (key: string, url = server.url): SupabaseClient => {
    const created = createClient(url, key, NO_SESSION);
    clients.push(created);
    return created;
  };
  const anon = (url?: string) => make(server.context.keys.anonKey, url);
  const admin = () => make(server.context.keys.serviceRoleKey).auth.admin;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    for (const created of clients) await created.removeAllChannels();
    await server?.stop();
  });

  describe('signUp', () => {
    it('creates a confirmed user and signs them in when autoconfirm is on', async () => {
      const email = freshEmail();
      const { data, error } = await anon().auth.signUp({ email, password: 'correct horse', options: { data: { name: 'Ann' } } });
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ email, aud: 'authenticated', role: 'authenticated', user_metadata: { name: 'Ann' } });
      expect(data.user!.email_confirmed_at).toEqual(expect.any(String));
      expect(data.session).toMatchObject({ token_type: 'bearer', user: { id: data.user!.id } });
      // The new user can sign in with that password.
      const signIn = await anon().auth.signInWithPassword({ email, password: 'correct horse' });
      expect(signIn.error).toBeNull();
      expect(signIn.data.user!.id).toBe(data.user!.id);
    });

    it('refuses an address that is already registered, a short password and a bad address', async () => {
      const taken = await anon().auth.signUp({ email: 'agent.a@beacon.local', password: 'whatever-123' });
      expect(taken.error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });

      const weak = await anon().auth.signUp({ email: freshEmail(), password: 'abc' });
      expect(weak.error).toMatchObject({ name: 'AuthWeakPasswordError', status: 422, code: 'weak_password', reasons: ['length'] });
      expect(weak.error!.message).toBe('Password should be at least 6 characters.');

      const bad = await anon().auth.signUp({ email: 'not-an-address', password: 'long enough' });
      expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Unable to validate email address: invalid format' });
    });

    it('answers signup_disabled when signups are off', async () => {
      const closed = await server.withContext({ auth: { ...DEFAULT_AUTH_SETTINGS, disableSignup: true } });
      const { data, error } = await anon(closed.url).auth.signUp({ email: freshEmail(), password: 'long enough' });
      expect(data.user).toBeNull();
      expect(error).toMatchObject({ status: 422, code: 'signup_disabled', message: 'Signups not allowed for this instance' });
      const settings = (await (await fetch(`${closed.url}/auth/v1/settings`, { headers: { apikey: server.context.keys.anonKey } })).json()) as Record<string, unknown>;
      expect(settings).toMatchObject({ disable_signup: true });
    });

    it('creates an unconfirmed user without a session when autoconfirm is off, who cannot sign in yet', async () => {
      const confirming = await server.withContext({ auth: { ...DEFAULT_AUTH_SETTINGS, autoconfirm: false } });
      const email = freshEmail();
      const { data, error } = await anon(confirming.url).auth.signUp({ email, password: 'long enough' });
      expect(error).toBeNull();
      expect(data.session).toBeNull();
      expect(data.user).toMatchObject({ email, confirmation_sent_at: expect.any(String) });
      expect(data.user!.email_confirmed_at).toBeUndefined();
      const signIn = await anon(confirming.url).auth.signInWithPassword({ email, password: 'long enough' });
      expect(signIn.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
      // Signing up again once autoconfirm is on takes the new password, confirms and signs in.
      const later = await anon().auth.signUp({ email, password: 'a newer password' });
      expect(later.error).toBeNull();
      expect(later.data.user!.id).toBe(data.user!.id);
      expect(later.data.session).not.toBeNull();
      expect((await anon().auth.signInWithPassword({ email, password: 'a newer password' })).error).toBeNull();
      // An address that is taken is not revealed: a user-shaped answer with another id.
      const again = await anon(confirming.url).auth.signUp({ email: 'agent.a@beacon.local', password: 'long enough' });
      expect(again.error).toBeNull();
      expect(again.data.user!.id).not.toBe('a0000000-0000-4000-8000-000000000001');
    });
  });

  describe('auth.admin', () => {
    it('creates a user with email_confirm, who can then sign in', async () => {
      const email = freshEmail();
      const { data, error } = await admin().createUser({ email, password: 'long enough', email_confirm: true, user_metadata: { team: 'x' }, app_metadata: { tier: 'gold' } });
      expect(error).toBeNull();
      expect(data.user).toMatchObject({ email, user_metadata: { team: 'x' }, app_metadata: { provider: 'email', providers: ['email'], tier: 'gold' } });
      expect(data.user!.email_confirmed_at).toEqual(expect.any(String));
      expect((await anon().auth.signInWithPassword({ email, password: 'long enough' })).error).toBeNull();

      const unconfirmed = await admin().createUser({ email: freshEmail(), password: 'long enough' });
      expect(unconfirmed.data.user!.email_confirmed_at).toBeUndefined();
    });

    it('refuses a taken address, a weak password and a missing address with GoTrue codes', async () => {
      const taken = await admin().createUser({ email: 'Agent.A@beacon.local', password: 'long enough' });
      expect(taken.error).toMatchObject({ status: 422, code: 'email_exists', message: 'A user with this email address has already been registered' });
      const weak = await admin().createUser({ email: freshEmail(), password: '123' });
      expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
      const missing = await admin().createUser({ password: 'long enough' });
      expect(missing.error).toMatchObject({ status: 400, code: 'validation_failed' });
    });

    it('lists users page by page with GoTrue pagination', async () => {
      for (let i = 0; i < 3; i++) expect((await admin().createUser({ email: freshEmail(), email_confirm: true })).error).toBeNull();
      const { rows } = await server.context.db.pool.query<{ n: string }>('select count(*) as n from auth.users');
      const total = Number(rows[0]!.n);
      const first = await admin().listUsers({ page: 1, perPage: 2 });
      expect(first.error).toBeNull();
      expect(first.data.users).toHaveLength(2);
      expect(first.data).toMatchObject({ aud: 'authenticated', total, nextPage: 2, lastPage: Math.ceil(total / 2) });
      const second = await admin().listUsers({ page: 2, perPage: 2 });
      expect(second.data.users).toHaveLength(2);
      expect(second.data.users.map((u) => u.id)).not.toContain(first.data.users[0]!.id);
      // Newest first, as GoTrue sorts by created_at descending.
      const all = await admin().listUsers();
      const created = all.data.users.map((u) => Date.parse(u.created_at));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(all.data.users).toHaveLength(total);
    });

    it('gets, updates and deletes a user', async () => {
      const email = freshEmail();
      const { data } = await admin().createUser({ email, password: 'long enough', user_metadata: { a: 1, b: 2 } });
      const id = data.user!.id;

      const got = await admin().getUserById(id);
      expect(got.error).toBeNull();
      expect(got.data.user).toMatchObject({ id, email });

      const newEmail = freshEmail();
      const updated = await admin().updateUserById(id, { email: newEmail, password: 'another secret', email_confirm: true, user_metadata: { b: null, c: 3 } });
      expect(updated.error).toBeNull();
      expect(updated.data.user).toMatchObject({ id, email: newEmail, user_metadata: { a: 1, c: 3 } });
      expect(updated.data.user!.user_metadata).not.toHaveProperty('b');
      expect((await anon().auth.signInWithPassword({ email: newEmail, password: 'another secret' })).error).toBeNull();

      const clash = await admin().updateUserById(id, { email: 'agent.b@beacon.local' });
      expect(clash.error).toMatchObject({ status: 422, code: 'email_exists' });

      const deleted = await admin().deleteUser(id);
      expect(deleted.error).toBeNull();
      const gone = await admin().getUserById(id);
      expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found', message: 'User not found' });
      expect((await admin().deleteUser(id)).error).toMatchObject({ status: 404, code: 'user_not_found' });
    });

    it('refuses anyone but an admin, and a malformed id', async () => {
      const byAnon = await make(server.context.keys.anonKey).auth.admin.listUsers();
      expect(byAnon.error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });

      const agent = make(server.context.keys.anonKey);
      const { data } = await agent.auth.signInWithPassword({ email: 'agent.a@beacon.local', password: 'beacon-demo-a' });
      const byUser = await fetch(`${server.url}/auth/v1/admin/users`, {
        headers: { apikey: server.context.keys.anonKey, authorization: `Bearer ${data.session!.access_token}`, 'x-supabase-api-version': '2024-01-01' },
      });
      expect(byUser.status).toBe(403);
      expect(await byUser.json()).toEqual({ code: 'not_admin', message: 'User not allowed' });

      const noBearer = await fetch(`${server.url}/auth/v1/admin/users`, { headers: { apikey: server.context.keys.serviceRoleKey } });
      expect(noBearer.status).toBe(401);
      expect(await noBearer.json()).toMatchObject({ error_code: 'no_authorization' });

      const badBody = await fetch(`${server.url}/auth/v1/admin/users`, {
        method: 'POST',
        headers: { apikey: server.context.keys.serviceRoleKey, authorization: `Bearer ${server.context.keys.serviceRoleKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: freshEmail(), user_metadata: 'not an object' }),
      });
      expect(badBody.status).toBe(400);
      expect(await badBody.json()).toMatchObject({ error_code: 'validation_failed' });

      // supabase-js checks the id itself; the server does too.
      const key = server.context.keys.serviceRoleKey;
      const badId = await fetch(`${server.url}/auth/v1/admin/users/not-a-uuid`, { headers: { apikey: key, authorization: `Bearer ${key}` } });
      expect(badId.status).toBe(400);
      expect(await badId.json()).toEqual({ code: 400, error_code: 'validation_failed', msg: 'user_id must be an UUID' });
    });
  });
});
