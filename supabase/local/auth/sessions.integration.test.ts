/**
 * GoTrue's refresh-token reuse rules, through supabase-js, with the server's
 * clock under the test's control (no waiting): the parent of the active token
 * gives the active one back; an older revoked token rotates again within the
 * reuse interval; after it, it is refused and the whole session is revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startTestServer, type TestServer } from './test-server.ts';
import { DEFAULT_AUTH_SETTINGS } from '../context.ts';

const AGENT_A = { email: 'agent.a@beacon.local', password: 'beacon-demo-a' };

describe('refresh-token reuse interval', () => {
  let server: TestServer;
  let url: string;
  let nowMs = Date.parse('2030-01-01T00:00:00Z');
  const clients: SupabaseClient[] = [];

  const client = (): SupabaseClient => {
    const created = createClient(url, server.context.keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    clients.push(created);
    return created;
  };

  /** A session whose first token has been rotated twice: [grandparent, parent, active]. */
  async function rotatedTwice(): Promise<[string, string, string]> {
    const { data } = await client().auth.signInWithPassword(AGENT_A);
    const first = data.session!.refresh_token;
    const second = (await client().auth.refreshSession({ refresh_token: first })).data.session!.refresh_token;
    const third = (await client().auth.refreshSession({ refresh_token: second })).data.session!.refresh_token;
    return [first, second, third];
  }

  beforeAll(async () => {
    server = await startTestServer();
    const derived = await server.withContext({ now: () => nowMs, auth: { ...DEFAULT_AUTH_SETTINGS, refreshTokenReuseIntervalSeconds: 10 } });
    url = derived.url;
  });

  afterAll(async () => {
    for (const created of clients) await created.removeAllChannels();
    await server?.stop();
  });

  it('gives back the active token for its parent, even long after', async () => {
    const [, parent, active] = await rotatedTwice();
    nowMs += 3600_000;
    const { data, error } = await client().auth.refreshSession({ refresh_token: parent });
    expect(error).toBeNull();
    expect(data.session!.refresh_token).toBe(active);
  });

  it('rotates an older revoked token again within the interval', async () => {
    const [grandparent, , active] = await rotatedTwice();
    nowMs += 9_000;
    const { data, error } = await client().auth.refreshSession({ refresh_token: grandparent });
    expect(error).toBeNull();
    expect(data.session!.refresh_token).not.toBe(active);
    expect(data.session!.refresh_token).not.toBe(grandparent);
    // The session lives on: the newly issued token works.
    expect((await client().auth.refreshSession({ refresh_token: data.session!.refresh_token })).error).toBeNull();
  });

  it('refuses it after the interval and revokes the whole session', async () => {
    const [grandparent, , active] = await rotatedTwice();
    nowMs += 11_000;
    const reused = await client().auth.refreshSession({ refresh_token: grandparent });
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });
    const latest = await client().auth.refreshSession({ refresh_token: active });
    expect(latest.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('honours a configured interval of 0: any older revoked token is refused at once', async () => {
    const strict = await server.withContext({ now: () => nowMs, auth: { ...DEFAULT_AUTH_SETTINGS, refreshTokenReuseIntervalSeconds: 0 } });
    const strictClient = () => createClient(strict.url, server.context.keys.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const { data } = await strictClient().auth.signInWithPassword(AGENT_A);
    const first = data.session!.refresh_token;
    const second = (await strictClient().auth.refreshSession({ refresh_token: first })).data.session!.refresh_token;
    await strictClient().auth.refreshSession({ refresh_token: second });
    nowMs += 1;
    const reused = await strictClient().auth.refreshSession({ refresh_token: first });
    expect(reused.error).toMatchObject({ code: 'refresh_token_already_used' });
  });
});
