/**
 * npm run bench:stack — realtime delivery of the local stack under load.
 *
 * 25 agents × 2 devices = 50 supabase-js clients, each subscribed to
 * agent_tasks (RLS scopes every client to its own agent's tasks). 2,000 task
 * updates are committed at 500/s; every update must reach both devices of its
 * owner. Reports commit → callback latency (commit_timestamp of the change to
 * the moment the client's callback runs; same host, same clock), deliveries per
 * second and missed deliveries. A script, not a test: numbers vary by machine.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createStack } from '../stack.ts';
import { percentile, printTable } from './report.ts';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '25' },
    devices: { type: 'string', default: '2' },
    updates: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '500' },
  },
});
const AGENTS = Number(values.agents);
const DEVICES = Number(values.devices);
const UPDATES = Number(values.updates);
const RATE = Number(values.rate);
const PASSWORD = 'bench-password';

const stack = await createStack({ seed: false });
const clients: SupabaseClient[] = [];
try {
  process.stderr.write(`stack up at ${stack.url}; creating ${AGENTS} agents\n`);
  const pool = stack.context.db.pool;
  const agents: Array<{ email: string; taskIds: string[] }> = [];
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
    agents.push({ email, taskIds: tasks.rows.map((r) => r.id) });
  }

  // seq → owner index; received[client][seq] = latency
  const owner = new Map<number, number>();
  const latencies: number[] = [];
  const received: Array<Set<number>> = [];
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
        const { error } = await client.auth.signInWithPassword({ email: agent.email, password: PASSWORD });
        if (error) throw error;
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
      pool.query(`update public.agent_tasks set title = $2 where id = $1`, [agent.taskIds[seq % agent.taskIds.length], `bench #${seq}`]),
    );
  }
  await Promise.all(inFlight);
  const commitSeconds = (performance.now() - started) / 1000;

  // Let the tail arrive: wait until nothing new for 2 s (or 15 s overall).
  const expected = UPDATES * DEVICES;
  const deadline = performance.now() + 15_000;
  let seen = -1;
  while (performance.now() < deadline) {
    const count = received.reduce((n, s) => n + s.size, 0);
    if (count >= expected || count === seen) break;
    seen = count;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const deliveredCount = received.reduce((n, s) => n + s.size, 0);
  const deliverySeconds = (lastDelivery - firstDelivery) / 1000 || 1;
  // A client must get exactly its own agent's updates.
  let foreign = 0;
  received.forEach((set, clientIndex) => {
    const agentIndex = Math.floor(clientIndex / DEVICES);
    for (const seq of set) if (owner.get(seq) !== agentIndex) foreign += 1;
  });

  printTable(`Local stack realtime: ${AGENTS} agents × ${DEVICES} devices, ${UPDATES} updates at ${RATE}/s`, [
    ['clients subscribed', String(AGENTS * DEVICES)],
    ['updates committed', `${UPDATES} in ${commitSeconds.toFixed(2)} s (${(UPDATES / commitSeconds).toFixed(0)}/s)`],
    ['deliveries expected / received', `${expected} / ${deliveredCount}`],
    ['missed deliveries', String(expected - deliveredCount)],
    ['deliveries to the wrong agent', String(foreign)],
    ['deliveries per second', (deliveredCount / deliverySeconds).toFixed(0)],
    ['commit → callback p50', `${percentile(latencies, 50)} ms`],
    ['commit → callback p95', `${percentile(latencies, 95)} ms`],
    ['commit → callback p99', `${percentile(latencies, 99)} ms`],
    ['commit → callback max', `${Math.max(...latencies)} ms`],
  ]);
} finally {
  await Promise.allSettled(clients.map((c) => c.removeAllChannels()));
  await stack.stop();
}
