/**
 * The whole stack with the Supabase CLI profile and ES256 user tokens: code
 * written against `supabase start` (its demo keys) works, and Realtime accepts
 * every token form — a publishable-key client's ES256 session, and a JWT minted
 * with the (CLI's) secret — and refuses a foreign key at the upgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { decodeProtectedHeader } from 'jose';
import { createStack, type Stack } from './stack.ts';
import { PROFILES } from './profiles.ts';
import { signJwt } from './auth/jwt.ts';
import { waitFor } from '../../test/wait-for.ts';
import WebSocket from 'ws';

const AGENT_A = { email: 'agent.a@beacon.local', password: 'beacon-demo-a' };
const AGENT_A_ID = 'a0000000-0000-4000-8000-000000000001';
const A_TASK = 'a3000000-0000-4000-8000-000000000001';
const CLI = PROFILES['supabase-cli'].keys;

describe('the stack with --profile supabase-cli', () => {
  let stack: Stack;
  const clients: SupabaseClient[] = [];
  const make = (key: string, options: { accessToken?: () => Promise<string> } = {}): SupabaseClient => {
    const created = createClient(stack.url, key, { ...options, auth: { persistSession: false, autoRefreshToken: false } });
    clients.push(created);
    return created;
  };

  /** Subscribes to agent A's task updates; resolves once changes flow, collecting the new titles. */
  async function watchTasks(client: SupabaseClient, name: string): Promise<string[]> {
    const titles: string[] = [];
    let flowing = false;
    await new Promise<void>((resolve, reject) => {
      client
        .channel(name)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_tasks', filter: `id=eq.${A_TASK}` }, (change) => {
          titles.push((change.new as { title: string }).title);
        })
        .on('system', {}, (payload: { message?: string }) => {
          if (payload.message === 'Subscribed to PostgreSQL') flowing = true;
        })
        .subscribe((status, err) => {
          if (status === 'SUBSCRIBED') resolve();
          if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
        });
    });
    await waitFor(() => flowing, `${name}: changes flowing`);
    return titles;
  }

  const retitle = (title: string) => stack.context.db.pool.query('update public.agent_tasks set title = $2 where id = $1', [A_TASK, title]);

  beforeAll(async () => {
    stack = await createStack({ profile: 'supabase-cli', port: 0, userTokenAlgorithm: 'ES256' });
  });

  afterAll(async () => {
    for (const created of clients) await created.removeAllChannels();
    await stack?.stop();
  });

  it('uses the Supabase CLI demo secret and keys, and reports the JWKS URL', () => {
    expect(stack.jwtSecret).toBe(CLI.jwtSecret);
    expect(stack.anonKey).toBe(CLI.anonKey);
    expect(stack.serviceRoleKey).toBe(CLI.serviceRoleKey);
    expect(stack.publishableKey).toBe(CLI.publishableKey);
    expect(stack.secretKey).toBe(CLI.secretKey);
    expect(stack.jwksUrl).toBe(`${stack.url}/auth/v1/.well-known/jwks.json`);
  });

  it('serves code written against supabase start: the CLI anon key signs in, the service key reads everything', async () => {
    const { data, error } = await make(CLI.anonKey!).auth.signInWithPassword(AGENT_A);
    expect(error).toBeNull();
    expect(data.user!.id).toBe(AGENT_A_ID);
    const all = await make(CLI.serviceRoleKey!).from('user_profiles').select('id');
    expect(all.data!.length).toBeGreaterThanOrEqual(2);
  });

  it('delivers changes over Realtime to a publishable-key client signed in with an ES256 session', async () => {
    const client = make(CLI.publishableKey!);
    const { data } = await client.auth.signInWithPassword(AGENT_A);
    expect(decodeProtectedHeader(data.session!.access_token).alg).toBe('ES256');
    const titles = await watchTasks(client, 'es256-session');
    await retitle('seen by an ES256 session');
    await waitFor(() => titles.includes('seen by an ES256 session'), 'the change');
  });

  it('delivers changes to a client using a JWT minted with the project secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const minted = await signJwt(CLI.jwtSecret!, { sub: AGENT_A_ID, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + 600 });
    const client = make(CLI.anonKey!, { accessToken: async () => minted });
    await client.realtime.setAuth(); // as realtime/test-fixture.ts: the token is fetched before the first join
    const titles = await watchTasks(client, 'minted-jwt');
    await retitle('seen with a minted JWT');
    await waitFor(() => titles.includes('seen with a minted JWT'), 'the change');
    // REST takes the same token.
    expect((await client.from('user_profiles').select('id')).data).toEqual([{ id: AGENT_A_ID }]);
  });

  it('refuses a WebSocket whose apikey is not one of the project\'s keys, and accepts the publishable key', async () => {
    const upgrade = (apikey: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${stack.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${apikey}&vsn=1.0.0`);
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once('error', (error) => reject(error));
      });
    expect(await upgrade('sb_publishable_AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAA')).toBe(401);
    expect(await upgrade(CLI.publishableKey!)).toBe(101);
  }, 15_000);
});
