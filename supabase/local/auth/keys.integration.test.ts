/**
 * The project's keys as Supabase has them after migrating to asymmetric JWT
 * signing keys and the new API key format, through supabase-js and raw HTTP:
 * the public JWKS, user tokens signed with ES256 or HS256 (both accepted),
 * legacy JWT keys checked by signature and role, publishable and secret keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startTestServer, type TestServer } from './test-server.ts';
import { signJwt } from './jwt.ts';

const AGENT_A = { email: 'agent.a@beacon.local', password: 'beacon-demo-a' };
const AGENT_A_ID = 'a0000000-0000-4000-8000-000000000001';
const NO_SESSION = { auth: { persistSession: false, autoRefreshToken: false } } as const;
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

describe('keys', () => {
  let server: TestServer;
  /** The same database and keys, but user tokens signed with the ES256 key. */
  let es256Url: string;
  const clients: SupabaseClient[] = [];
  const make = (key: string, url = server.url): SupabaseClient => {
    const created = createClient(url, key, NO_SESSION);
    clients.push(created);
    return created;
  };
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer();
    es256Url = (await server.withContext({ keys: { ...server.context.keys, userTokenAlgorithm: 'ES256' } })).url;
  });

  afterAll(async () => {
    for (const created of clients) await created.removeAllChannels();
    await server?.stop();
  });

  describe('JWT signing keys', () => {
    it('publishes the ES256 public key, without an API key and without private parts', async () => {
      const response = await fetch(`${server.url}/auth/v1/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { keys: Array<Record<string, unknown>> };
      expect(body.keys).toEqual([
        expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: server.context.keys.asymmetric.kid }),
      ]);
      expect(body.keys[0]).not.toHaveProperty('d');
      expect(JSON.stringify(body)).not.toContain(server.context.keys.jwtSecret);
    });

    it('signs user tokens with ES256 when so configured: verifiable with the remote JWKS, accepted by auth and REST', async () => {
      const client = make(server.context.keys.anonKey, es256Url);
      const { data, error } = await client.auth.signInWithPassword(AGENT_A);
      expect(error).toBeNull();
      const token = data.session!.access_token;
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: server.context.keys.asymmetric.kid });

      const jwksSet = createRemoteJWKSet(new URL(`${server.url}/auth/v1/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, jwksSet, { algorithms: ['ES256'] });
      expect(payload).toMatchObject({ sub: AGENT_A_ID, role: 'authenticated' });
      // The legacy secret does not verify it.
      await expect(jwtVerify(token, new TextEncoder().encode(server.context.keys.jwtSecret))).rejects.toThrow();

      // The HS256 server accepts it too: every verifier takes both.
      const elsewhere = make(server.context.keys.anonKey);
      expect((await elsewhere.auth.getUser(token)).data.user?.id).toBe(AGENT_A_ID);
      await elsewhere.auth.setSession({ access_token: token, refresh_token: data.session!.refresh_token });
      const rows = await elsewhere.from('user_profiles').select('id');
      expect(rows.error).toBeNull();
      expect(rows.data).toEqual([{ id: AGENT_A_ID }]);
    });

    it('keeps HS256 user tokens valid next to it, and refuses an ES256 token from another key', async () => {
      const { data } = await make(server.context.keys.anonKey).auth.signInWithPassword(AGENT_A);
      const token = data.session!.access_token;
      expect(decodeProtectedHeader(token).alg).toBe('HS256');
      await expect(jwtVerify(token, new TextEncoder().encode(server.context.keys.jwtSecret))).resolves.toBeDefined();
      expect((await make(server.context.keys.anonKey, es256Url).auth.getUser(token)).data.user?.id).toBe(AGENT_A_ID);

      const { SignJWT, generateKeyPair } = await import('jose');
      const { privateKey } = await generateKeyPair('ES256');
      const foreign = await new SignJWT({ sub: AGENT_A_ID, role: 'authenticated' })
        .setProtectedHeader({ alg: 'ES256', kid: server.context.keys.asymmetric.kid })
        .setExpirationTime(now() + 60)
        .sign(privateKey);
      const refused = await make(server.context.keys.anonKey).auth.getUser(foreign);
      expect(refused.error).toMatchObject({ status: 403, code: 'bad_jwt' });
    });
  });

  describe('legacy API keys', () => {
    it('accepts any unexpired JWT signed with the project secret whose role is anon or service_role', async () => {
      const minted = await signJwt(server.context.keys.jwtSecret, { iss: 'supabase', ref: 'local', role: 'service_role', exp: now() + 600 });
      expect(minted).not.toBe(server.context.keys.serviceRoleKey);
      const { data, error } = await make(minted).from('user_profiles').select('id').order('id');
      expect(error).toBeNull();
      expect(data!.length).toBeGreaterThanOrEqual(2);

      const anon = await signJwt(server.context.keys.jwtSecret, { role: 'anon', exp: now() + 600 });
      const signIn = await make(anon).auth.signInWithPassword(AGENT_A);
      expect(signIn.error).toBeNull();
    });

    it('refuses a JWT of another role, another secret, or expired, as the API key', async () => {
      const candidates = [
        await signJwt(server.context.keys.jwtSecret, { role: 'authenticated', sub: AGENT_A_ID, exp: now() + 600 }),
        await signJwt('another-secret-another-secret-0123456789', { role: 'anon', exp: now() + 600 }),
        await signJwt(server.context.keys.jwtSecret, { role: 'anon', iat: now() - 100, exp: now() - 10 }),
      ];
      for (const apikey of candidates) {
        const response = await fetch(`${server.url}/rest/v1/user_profiles?select=id`, { headers: { apikey } });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ message: 'Invalid API key' });
      }
    });

    it('runs REST as the user of a JWT minted with the secret', async () => {
      const token = await signJwt(server.context.keys.jwtSecret, { sub: AGENT_A_ID, role: 'authenticated', aud: 'authenticated', exp: now() + 600 });
      const response = await fetch(`${server.url}/rest/v1/user_profiles?select=id`, { headers: { apikey: server.context.keys.anonKey, authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual([{ id: AGENT_A_ID }]);
    });
  });

  describe('publishable and secret keys', () => {
    it('has keys in Supabase\'s formats', () => {
      expect(server.context.keys.publishableKey).toMatch(/^sb_publishable_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}$/);
      expect(server.context.keys.secretKey).toMatch(/^sb_secret_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{8}$/);
    });

    it('signs in with the publishable key, and the session then reads as the user', async () => {
      const client = make(server.context.keys.publishableKey);
      const { data, error } = await client.auth.signInWithPassword(AGENT_A);
      expect(error).toBeNull();
      expect(data.user!.id).toBe(AGENT_A_ID);
      const rows = await client.from('user_profiles').select('id');
      expect(rows.data).toEqual([{ id: AGENT_A_ID }]);
    });

    it('acts as anon with the publishable key: the same answer as the anon key', async () => {
      const viaPublishable = await make(server.context.keys.publishableKey).from('agent_tasks').select('id');
      const viaAnon = await make(server.context.keys.anonKey).from('agent_tasks').select('id');
      expect(viaPublishable.status).toBe(viaAnon.status);
      expect(viaPublishable.data).toEqual(viaAnon.data);
      const admin = await make(server.context.keys.publishableKey).auth.admin.listUsers();
      expect(admin.error).toMatchObject({ status: 403, code: 'not_admin' });
    });

    it('acts as service_role with the secret key: RLS bypassed, admin API allowed', async () => {
      const client = make(server.context.keys.secretKey);
      const { data, error } = await client.from('user_profiles').select('id');
      expect(error).toBeNull();
      expect(data!.length).toBeGreaterThanOrEqual(2);
      const users = await client.auth.admin.listUsers();
      expect(users.error).toBeNull();
      expect(users.data.users.map((u) => u.email)).toContain(AGENT_A.email);
    });

    it('refuses the secret key from a browser, and unknown sb_ keys', async () => {
      const fromBrowser = await fetch(`${server.url}/rest/v1/user_profiles?select=id`, {
        headers: { apikey: server.context.keys.secretKey, 'user-agent': BROWSER_UA },
      });
      expect(fromBrowser.status).toBe(401);
      expect(await fromBrowser.json()).toMatchObject({ message: 'Forbidden use of secret API key in browser' });
      const publishableFromBrowser = await fetch(`${server.url}/auth/v1/settings`, {
        headers: { apikey: server.context.keys.publishableKey, 'user-agent': BROWSER_UA },
      });
      expect(publishableFromBrowser.status).toBe(200);

      for (const apikey of ['sb_publishable_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAA', 'sb_secret_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAA']) {
        const response = await fetch(`${server.url}/rest/v1/user_profiles?select=id`, { headers: { apikey } });
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ message: 'Invalid API key' });
      }
    });
  });
});
