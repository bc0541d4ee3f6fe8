/**
 * npm run bench:stack — realtime delivery of the local stack under load.
 *
 * 25 agents × 2 devices = 50 supabase-js clients, each subscribed to
 * agent_tasks (RLS scopes every client to its own agent's tasks) and to its
 * agent's private Broadcast topic `agent:<user id>` (Realtime Authorization:
 * a SELECT policy on realtime.messages). Two phases on the same stack and
 * clients, reported side by side:
 *  1. postgres_changes: 2,000 task updates committed at 500/s; each must reach
 *     both devices of its owner.
 *  2. broadcast from the database: the postgres_changes channels are removed
 *     and a row trigger calls realtime.send() for each update to the owner's
 *     private topic; another 2,000 updates at 500/s.
 * Each mode is measured under its own load only, as a project would run one
 * of them. Latency is commit → callback (postgres_changes: the change's
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
    // --no-broadcast: the postgres_changes phase only.
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
  const changeChannels: Array<{ client: SupabaseClient; channel: ReturnType<SupabaseClient['channel']> }> = [];

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
            })
            .subscribe((status, err) => {
              if (status === 'SUBSCRIBED') resolve();
              if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
            });
        });
        await new Promise<void>((resolve, reject) => {
          const channel = client.channel(`bench-${agentIndex}`);
          changeChannels.push({ client, channel });
          channel
            .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_tasks' }, (payload) => {
              const now = Date.now();
              const seq = Number(/#(\d+)$/.exec(String((payload.new as { title?: string }).title))?.[1]);
              if (!Number.isFinite(seq)) return;
              received[clientIndex]!.add(seq);
              latencies.push(now - Date.parse(payload.commit_timestamp));
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

  const count = (sets: Array<Set<number>>) => sets.reduce((n, s) => n + s.size, 0);
  const expected = UPDATES * DEVICES;

  /** Commits UPDATES updates (seq offset…offset+UPDATES) at RATE, then waits for `sets` to fill (the tail: 2 s of nothing new, 15 s at most). */
  async function phase(label: string, offset: number, sets: Array<Set<number>>): Promise<number> {
    process.stderr.write(`${label}: committing ${UPDATES} updates at ${RATE}/s\n`);
    const started = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < UPDATES; i += 1) {
      const seq = offset + i;
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const agentIndex = seq % AGENTS;
      const agent = agents[agentIndex]!;
      owner.set(seq, agentIndex);
      inFlight.push(writer.query(`update public.agent_tasks set title = $2 where id = $1`, [agent.taskIds[seq % agent.taskIds.length], `bench #${seq}`]));
    }
    await Promise.all(inFlight);
    const commitSeconds = (performance.now() - started) / 1000;
    const deadline = performance.now() + 15_000;
    let seen = -1;
    while (performance.now() < deadline) {
      const got = count(sets);
      if (got >= expected || got === seen) break;
      seen = got;
      await new Promise((r) => setTimeout(r, 2000));
    }
    return commitSeconds;
  }

  const changesSeconds = await phase('postgres_changes', 0, received);
  let broadcastSeconds = 0;
  if (values.broadcast) {
    // The second mode alone: no postgres_changes subscribers left for the database to check.
    await Promise.all(changeChannels.map(({ client, channel }) => client.removeChannel(channel)));
    await pool.query(`create trigger bench_broadcast_task after update on public.agent_tasks
      for each row execute function public.bench_broadcast_task()`);
    broadcastSeconds = await phase('broadcast from database', UPDATES, broadcastReceived);
  }

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
      ['updates committed', `${UPDATES} in ${changesSeconds.toFixed(2)} s`, values.broadcast ? `${UPDATES} in ${broadcastSeconds.toFixed(2)} s` : '(not run)'],
      ['deliveries expected / received', ...both((sets) => `${expected} / ${count(sets)}`)],
      ['missed deliveries', ...both((sets) => String(expected - count(sets)))],
      ['deliveries to the wrong agent', ...both((sets) => String(foreign(sets)))],
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
