/**
 * npm run bench:stack — realtime delivery of the local stack under load.
 *
 * 25 agents × 2 devices = 50 supabase-js clients, each subscribed to
 * agent_tasks (RLS scopes every client to its own agent's tasks) and to its
 * agent's private Broadcast topic `agent:<user id>` (Realtime Authorization:
 * a SELECT policy on realtime.messages). 2,000 task updates are committed at
 * 500/s; a row trigger calls realtime.send() for each to the owner's topic, so
 * every update must reach both devices of its owner twice: as postgres_changes
 * and as a broadcast from the database, measured side by side in the same run.
 * Latency is commit → callback (postgres_changes: the change's
 * commit_timestamp; broadcast: the trigger's clock_timestamp(), just before
 * commit; same host, same clock). A script, not a test: numbers vary by machine.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { createStack } from '../stack.ts';
import { percentile, printTable } from './report.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '25' },
    devices: { type: 'string', default: '2' },
    updates: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '500' },
    // --no-broadcast: postgres_changes alone (no realtime.send trigger), for comparison.
    broadcast: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const AGENTS = Number(values.agents);
const DEVICES = Number(values.devices);
const UPDATES = Number(values.updates);
const RATE = Number(values.rate);
const PASSWORD = 'bench-password';

const stack = await createStack({ seed: false });
const clients: SupabaseClient[] = [];
// The load comes from elsewhere (an app, PostgREST), not through the realtime server's own pool:
// sharing it would queue the server's RLS checks behind the writes being measured.
const writer = new pg.Pool({ connectionString: stack.dbUrl, max: 10 });
try {
  process.stderr.write(`stack up at ${stack.url}; creating ${AGENTS} agents\n`);
  const pool = stack.context.db.pool;
  await pool.query(`
    create policy "bench agents read their topic" on realtime.messages for select to authenticated
      using (realtime.topic() = 'agent:' || auth.uid()::text);
    create function public.bench_broadcast_task() returns trigger language plpgsql as $$
    begin
      perform realtime.send(
        jsonb_build_object('title', new.title, 'sent_at', extract(epoch from clock_timestamp()) * 1000),
        'task', 'agent:' || (select user_id from public.ai_agents where id = new.agent_id), true);
      return null;
    end $$;
  `);
  if (values.broadcast) {
    await pool.query(`create trigger bench_broadcast_task after update on public.agent_tasks
      for each row execute function public.bench_broadcast_task()`);
  }
  const agents: Array<{ email: string; userId: string; taskIds: string[] }> = [];
  for (let i = 0; i < AGENTS; i += 1) {
    const email = `bench.${i}@beacon.local`;
    const { rows } = await pool.query<{ id: string }>(
      `insert into auth.users (email, encrypted_password, email_confirmed_at)
       values ($1, extensions.crypt($2, extensions.gen_salt('bf', 4)), now()) returning id`,
      [email, PASSWORD],
    );
    const userId = rows[0]!.id;
    await pool.query(`insert into public.user_profiles (id, email, display_name) values ($1, $2, $3)`, [userId, email, `Bench ${i}`]);
    const agent = await pool.query<{ id: string }>(`insert into public.ai_agents (user_id, name) values ($1, 'Bench AI') returning id`, [userId]);
    const contact = await pool.query<{ id: string }>(`insert into public.contacts (user_id, full_name) values ($1, 'Bench contact') returning id`, [userId]);
    const tasks = await pool.query<{ id: string }>(
      `insert into public.agent_tasks (agent_id, contact_id, title, status)
       select $1, $2, 'bench task ' || g, 'in_progress' from generate_series(1, 4) g returning id`,
      [agent.rows[0]!.id, contact.rows[0]!.id],
    );
    agents.push({ email, userId, taskIds: tasks.rows.map((r) => r.id) });
  }

  // seq → owner index; received[client][seq] = latency
  const owner = new Map<number, number>();
  const latencies: number[] = [];
  const received: Array<Set<number>> = [];
  const broadcastLatencies: number[] = [];
  const broadcastReceived: Array<Set<number>> = [];
  let firstDelivery = 0;
  let lastDelivery = 0;

  process.stderr.write(`signing in and subscribing ${AGENTS * DEVICES} clients\n`);
  await Promise.all(
    agents.flatMap((agent, agentIndex) =>
      Array.from({ length: DEVICES }, async () => {
        const client = createClient(stack.url, stack.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
        clients.push(client);
        const clientIndex = received.length;
        received.push(new Set());
        broadcastReceived.push(new Set());
        const { error } = await client.auth.signInWithPassword({ email: agent.email, password: PASSWORD });
        if (error) throw error;
        await client.realtime.setAuth();
        await new Promise<void>((resolve, reject) => {
          client
            .channel(`agent:${agent.userId}`, { config: { private: true } })
            .on('broadcast', { event: 'task' }, (message: { payload: { title?: string; sent_at?: number } }) => {
              const now = Date.now();
              const seq = Number(/#(\d+)$/.exec(String(message.payload.title))?.[1]);
              if (!Number.isFinite(seq)) return;
              broadcastReceived[clientIndex]!.add(seq);
              broadcastLatencies.push(Math.round(now - Number(message.payload.sent_at)));
              lastDelivery = performance.now();
            })
            .subscribe((status, err) => {
              if (status === 'SUBSCRIBED') resolve();
              if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
            });
        });
        await new Promise<void>((resolve, reject) => {
          client
            .channel(`bench-${agentIndex}`)
            .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_tasks' }, (payload) => {
              const now = Date.now();
              const seq = Number(/#(\d+)$/.exec(String((payload.new as { title?: string }).title))?.[1]);
              if (!Number.isFinite(seq)) return;
              received[clientIndex]!.add(seq);
              latencies.push(now - Date.parse(payload.commit_timestamp));
              if (!firstDelivery) firstDelivery = performance.now();
              lastDelivery = performance.now();
            })
            // "Subscribed to PostgreSQL" (not SUBSCRIBED, which comes first) means changes flow.
            .on('system', {}, (message: { extension?: string; status?: string }) => {
              if (message.extension === 'postgres_changes' && message.status === 'ok') resolve();
            })
            .subscribe((status, err) => {
              if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
            });
        });
        return agentIndex;
      }),
    ),
  );

  process.stderr.write(`committing ${UPDATES} updates at ${RATE}/s\n`);
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let seq = 0; seq < UPDATES; seq += 1) {
    const due = started + (seq * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const agentIndex = seq % AGENTS;
    const agent = agents[agentIndex]!;
    owner.set(seq, agentIndex);
    inFlight.push(
      writer.query(`update public.agent_tasks set title = $2 where id = $1`, [agent.taskIds[seq % agent.taskIds.length], `bench #${seq}`]),
    );
  }
  await Promise.all(inFlight);
  const commitSeconds = (performance.now() - started) / 1000;

  // Let the tail arrive: wait until nothing new for 2 s (or 15 s overall).
  const expected = UPDATES * DEVICES;
  const deadline = performance.now() + 15_000;
  let seen = -1;
  while (performance.now() < deadline) {
    const count = [...received, ...broadcastReceived].reduce((n, s) => n + s.size, 0);
    if (count >= (values.broadcast ? 2 : 1) * expected || count === seen) break;
    seen = count;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const deliverySeconds = (lastDelivery - firstDelivery) / 1000 || 1;
  const count = (sets: Array<Set<number>>) => sets.reduce((n, s) => n + s.size, 0);
  // A client must get exactly its own agent's updates.
  const foreign = (sets: Array<Set<number>>) => {
    let wrong = 0;
    sets.forEach((set, clientIndex) => {
      const agentIndex = Math.floor(clientIndex / DEVICES);
      for (const seq of set) if (owner.get(seq) !== agentIndex) wrong += 1;
    });
    return wrong;
  };
  const both = (f: (sets: Array<Set<number>>, lat: number[]) => string): [string, string] => [f(received, latencies), f(broadcastReceived, broadcastLatencies)];

  printTable(
    `Local stack realtime: ${AGENTS} agents × ${DEVICES} devices, ${UPDATES} updates at ${RATE}/s`,
    [
      ['clients subscribed', String(AGENTS * DEVICES), String(AGENTS * DEVICES)],
      ['updates committed', `${UPDATES} in ${commitSeconds.toFixed(2)} s (${(UPDATES / commitSeconds).toFixed(0)}/s)`, '(same updates)'],
      ['deliveries expected / received', ...both((sets) => `${expected} / ${count(sets)}`)],
      ['missed deliveries', ...both((sets) => String(expected - count(sets)))],
      ['deliveries to the wrong agent', ...both((sets) => String(foreign(sets)))],
      ['deliveries per second (both kinds)', ((count(received) + count(broadcastReceived)) / deliverySeconds).toFixed(0), ''],
      ['commit → callback p50', ...both((_, lat) => `${percentile(lat, 50)} ms`)],
      ['commit → callback p95', ...both((_, lat) => `${percentile(lat, 95)} ms`)],
      ['commit → callback p99', ...both((_, lat) => `${percentile(lat, 99)} ms`)],
      ['commit → callback max', ...both((_, lat) => `${Math.max(...lat)} ms`)],
    ],
    ['metric', 'postgres_changes', 'broadcast from database'],
  );
} finally {
  await Promise.allSettled(clients.map((c) => c.removeAllChannels()));
  await writer.end();
  await stack.stop();
}
