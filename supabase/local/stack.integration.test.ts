import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from '@supabase/supabase-js';
import { createStack, type Stack } from './stack.ts';
import { startDatabase, type Database } from './db/database.ts';
import { waitFor } from '../../test/wait-for.ts';

describe('the local stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await createStack({ simulator: { tasksPerMinute: 1200, pendingSeconds: [0, 0.05], workingSeconds: [0, 0.1], seed: 7 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the seeded demo agents, who can sign in with supabase-js', async () => {
    expect(stack.demoUsers.map((u) => u.email)).toEqual(['agent.a@beacon.local', 'agent.b@beacon.local']);
    const client = createClient(stack.url, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const { data, error } = await client.auth.signInWithPassword(stack.demoUsers[0]!);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(stack.demoUsers[0]!.id);
  });

  it('guards the control surface with the service-role key', async () => {
    const post = (key: string | undefined, body: unknown) =>
      fetch(`${stack.url}/admin/v1/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { apikey: key } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post(undefined, { action: 'clear' })).status).toBe(401);
    expect((await post(stack.anonKey, { action: 'clear' })).status).toBe(403);
    const bad = await post(stack.serviceRoleKey, { action: 'melt-the-server' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/invalid fault action/);

    const latency = await post(stack.serviceRoleKey, { action: 'latency', ms: 25 });
    expect(latency.status).toBe(200);
    expect(await latency.json()).toMatchObject({ latencyMs: 25 });
    const cleared = await post(stack.serviceRoleKey, { action: 'clear' });
    expect(await cleared.json()).toMatchObject({ latencyMs: 0, heartbeatsSilenced: false, replicationPaused: false });
    // The new secret key works as the service role; the publishable key (anon) does not.
    expect((await post(stack.secretKey, { action: 'clear' })).status).toBe(200);
    expect((await post(stack.publishableKey, { action: 'clear' })).status).toBe(403);
  });

  it('serves the Realtime REST broadcast endpoint (realtime-js httpSend) next to the WebSocket', async () => {
    const client = createClient(stack.url, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    const heard: unknown[] = [];
    const listener = client.channel('stack-room').on('broadcast', { event: 'hello' }, (message) => heard.push(message.payload));
    await new Promise<void>((resolve) => listener.subscribe((status) => status === 'SUBSCRIBED' && resolve()));
    const sender = createClient(stack.url, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
    await expect(sender.channel('stack-room').httpSend('hello', { from: 'rest' })).resolves.toEqual({ success: true });
    await waitFor(() => heard.length > 0, 'the REST broadcast');
    expect(heard).toEqual([{ from: 'rest' }]);
    await client.removeAllChannels();
    await sender.removeAllChannels();
  });

  it('runs the activity simulator: tasks move through their states and conversations change', async () => {
    const stats = await waitFor(async () => {
      const s = stack.simulator!.stats();
      return s.tasksCompleted + s.tasksFailed >= 3 && s.conversationChanges >= 1 ? s : undefined;
    }, 'simulated activity', 20_000);
    expect(stats.errors).toBe(0);
    const { rows } = await stack.context.db.pool.query<{ status: string; started: boolean; completed: boolean }>(
      `select status, started_at is not null as started, completed_at is not null as completed
         from public.agent_tasks where title <> '' and status in ('completed', 'failed') and created_at > now() - interval '1 minute'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });
});

describe('stopping the stack', () => {
  let external: Database;

  beforeAll(async () => {
    external = await startDatabase();
  });

  afterAll(async () => {
    await external?.stop();
  });

  it('leaves no replication slot behind on the database it used', async () => {
    const stack = await createStack({ externalDbUrl: external.url });
    const during = await external.pool.query('select slot_name from pg_replication_slots');
    expect(during.rowCount).toBeGreaterThan(0);
    await stack.stop();
    const after = await external.pool.query('select slot_name from pg_replication_slots');
    expect(after.rows).toEqual([]);
  });

  it('stops its embedded PostgreSQL', async () => {
    const stack = await createStack({ seed: false });
    const client = new pg.Client({ connectionString: stack.dbUrl });
    await client.connect();
    await client.end();
    await stack.stop();
    const after = new pg.Client({ connectionString: stack.dbUrl, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });
});
