/**
 * npm run bench:fleet [-- --cores 200 --outage-s 60 --json]
 *
 * A fleet of Beacon cores on one local stack, each signed in as its own agent,
 * through a realtime restart followed by an outage (joins refused and REST
 * answering 503 with Retry-After for --outage-s seconds), while every agent
 * has a task finishing during the outage. Run twice in the same process: with
 * the pre-back-off schedules ("today": realtime-js's 1/2/5/10 s reconnects,
 * channel recreation at 0/1/2/5/10 s, polling 5 s ± 1 s whatever the server
 * answers) and with Beacon's full-jitter back-off ("now"). Measures, from the
 * server's side: peak joins per second, peak REST requests per second during
 * the outage; from the fleet: time until every core is live again after the
 * outage, and tasks missed / announced twice. Prints a table (and JSON).
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { createStack, type Stack } from '../../supabase/local/stack.ts';
import { BeaconCore } from '../../main/core/beacon-core.ts';
import { MemorySecretStore, MemoryStore } from '../../main/core/storage/memory-store.ts';
import type { NotificationRequest, Notifier } from '../../main/core/ports.ts';

const { values } = parseArgs({
  options: { cores: { type: 'string', default: '200' }, 'outage-s': { type: 'string', default: '60' }, json: { type: 'boolean', default: false } },
  strict: true,
});
const CORES = Math.max(1, Math.min(500, Number(values.cores)));
const OUTAGE_MS = Math.max(5, Number(values['outage-s'])) * 1000;
const PASSWORD = 'bench-fleet-password';
const log = (message: string) => process.stderr.write(`[fleet] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Schedule = 'today' | 'now';

interface Agent {
  readonly email: string;
  readonly taskIds: string[];
}

class CountingNotifier implements Notifier {
  readonly announced = new Map<string, number>();
  show(request: NotificationRequest): void {
    const keys = request.kind === 'task' ? [`${request.taskId}:${request.status}`] : request.kind === 'summary' ? request.tasks.map((t) => `${t.taskId}:${t.status}`) : [];
    for (const key of keys) this.announced.set(key, (this.announced.get(key) ?? 0) + 1);
  }
}

async function createAgents(stack: Stack, count: number, prefix: string): Promise<Agent[]> {
  const pool = stack.context.db.pool;
  const agents: Agent[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `${prefix}.${i}@beacon.local`;
    const { rows } = await pool.query<{ id: string }>(
      `insert into auth.users (email, encrypted_password, email_confirmed_at) values ($1, extensions.crypt($2, extensions.gen_salt('bf', 4)), now()) returning id`,
      [email, PASSWORD],
    );
    const userId = rows[0]!.id;
    await pool.query(`insert into public.user_profiles (id, email, display_name) values ($1, $2, $3)`, [userId, email, `Fleet ${i}`]);
    const agent = await pool.query<{ id: string }>(`insert into public.ai_agents (user_id, name) values ($1, 'Fleet AI') returning id`, [userId]);
    const contact = await pool.query<{ id: string }>(`insert into public.contacts (user_id, full_name) values ($1, 'Fleet contact') returning id`, [userId]);
    const tasks = await pool.query<{ id: string }>(
      `insert into public.agent_tasks (agent_id, contact_id, title, status) select $1, $2, 'fleet task ' || g, 'in_progress' from generate_series(1, 2) g returning id`,
      [agent.rows[0]!.id, contact.rows[0]!.id],
    );
    agents.push({ email, taskIds: tasks.rows.map((r) => r.id) });
  }
  return agents;
}

interface Result {
  readonly schedule: Schedule;
  readonly cores: number;
  readonly peakJoinsPerS: number;
  readonly peakRestPerSDuringOutage: number;
  readonly restDuringOutage: number;
  readonly allLiveAfterOutageMs: number | null;
  readonly missed: number;
  readonly doubled: number;
}

async function runFleet(stack: Stack, schedule: Schedule, agents: Agent[]): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-fleet-'));
  const cores: Array<{ core: BeaconCore; notifier: CountingNotifier }> = [];
  const today = schedule === 'today';
  try {
    for (const [i, agent] of agents.entries()) {
      const notifier = new CountingNotifier();
      const core = await BeaconCore.create({
        url: stack.url,
        anonKey: stack.anonKey,
        store: new MemoryStore(),
        secrets: new MemorySecretStore(),
        notifier,
        WebSocket: globalThis.WebSocket as unknown as WebSocketLikeConstructor,
        coalesceMs: 50,
        ...(today
          ? {
              session: { reconnectAfterMs: (tries: number) => [1_000, 2_000, 5_000, 10_000][tries - 1] ?? 10_000 },
              engine: {
                channelRetryDelaysMs: [0, 1_000, 2_000, 5_000, 10_000],
                pollErrorBackoff: { baseMs: 6_000, capMs: 6_000, floorMs: 4_000 },
                firstPollJitterMs: 0,
                retryAfterMs: () => 0,
              },
            }
          : {}),
      });
      await core.start();
      const signedIn = await core.signIn(agent.email, PASSWORD);
      if (!signedIn.ok) throw new Error(`sign-in ${agent.email}: ${signedIn.message}`);
      cores.push({ core, notifier });
      if (i % 50 === 49) log(`${schedule}: ${i + 1} cores signed in`);
    }
    const allLive = () => cores.every(({ core }) => core.health().health === 'live');
    for (let i = 0; i < 120 && !allLive(); i += 1) await sleep(500);
    // A second reconcile so every core has a cursor (the first run's snapshot is a baseline).
    await Promise.all(cores.map(({ core }) => core.engine.requestSnapshot('requested')));
    log(`${schedule}: ${cores.filter(({ core }) => core.health().health === 'live').length}/${cores.length} live; realtime restart + ${OUTAGE_MS / 1000} s outage`);

    // Per-second samples of the server's counters.
    const samples: Array<{ at: number; joins: number; rest: number }> = [];
    const sample = () => samples.push({ at: Date.now(), joins: stack.realtime.stats().joins, rest: stack.faults.restRequestCount() });
    sample();
    const sampler = setInterval(sample, 1_000);

    const outageStart = Date.now();
    await stack.faults.apply({ action: 'rate-limit-joins', ms: OUTAGE_MS, dropSockets: false });
    await stack.faults.apply({ action: 'rest-429', ms: OUTAGE_MS, retryAfterSeconds: 10, status: 503 });
    await stack.faults.apply({ action: 'restart-realtime' });
    // Every agent's first task finishes during the outage (its live event goes nowhere: no channel is joined).
    await sleep(2_000);
    await stack.context.db.pool.query(`update public.agent_tasks set status = 'completed', result = 'fleet' where id = any($1::uuid[])`, [agents.map((a) => a.taskIds[0]!)]);
    await sleep(Math.max(0, outageStart + OUTAGE_MS - Date.now()));
    const outageEnd = Date.now();
    let allLiveAt: number | null = null;
    for (let i = 0; i < 240; i += 1) {
      if (allLive()) {
        allLiveAt = Date.now();
        break;
      }
      await sleep(500);
    }
    await sleep(3_000);
    sample();
    clearInterval(sampler);

    const perSecond = (key: 'joins' | 'rest', from: number, to: number) => {
      let peak = 0;
      for (let i = 1; i < samples.length; i += 1) {
        const a = samples[i - 1]!;
        const b = samples[i]!;
        if (b.at < from || a.at > to) continue;
        peak = Math.max(peak, ((b[key] - a[key]) * 1000) / Math.max(1, b.at - a.at));
      }
      return peak;
    };
    const restIn = (from: number, to: number) => {
      const inside = samples.filter((s) => s.at >= from && s.at <= to);
      return inside.length >= 2 ? inside.at(-1)!.rest - inside[0]!.rest : 0;
    };

    let missed = 0;
    let doubled = 0;
    for (const [i, { notifier }] of cores.entries()) {
      const count = notifier.announced.get(`${agents[i]!.taskIds[0]}:completed`) ?? 0;
      if (count === 0) missed += 1;
      if (count > 1) doubled += 1;
    }
    return {
      schedule,
      cores: cores.length,
      peakJoinsPerS: Math.round(perSecond('joins', outageStart, Date.now())),
      peakRestPerSDuringOutage: Math.round(perSecond('rest', outageStart, outageEnd)),
      restDuringOutage: restIn(outageStart, outageEnd),
      allLiveAfterOutageMs: allLiveAt === null ? null : allLiveAt - outageEnd,
      missed,
      doubled,
    };
  } finally {
    await Promise.all(cores.map(({ core }) => core.stop().catch(() => undefined)));
    await stack.faults.apply({ action: 'clear' });
    await rm(dir, { recursive: true, force: true });
  }
}

const stack = await createStack({ seed: false });
try {
  log(`stack up; creating ${CORES} agents per schedule`);
  const results: Result[] = [];
  for (const schedule of ['today', 'now'] as const) {
    const agents = await createAgents(stack, CORES, `fleet-${schedule}`);
    results.push(await runFleet(stack, schedule, agents));
    await sleep(5_000);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  process.stdout.write(
    [
      row(['schedule', 'cores', 'peak joins/s', 'peak REST/s during outage', 'REST requests during outage', 'all live after outage (s)', 'missed', 'doubled']),
      row(['---', '---', '---', '---', '---', '---', '---', '---']),
      ...results.map((r) =>
        row([r.schedule, r.cores, r.peakJoinsPerS, r.peakRestPerSDuringOutage, r.restDuringOutage, r.allLiveAfterOutageMs === null ? 'never' : (r.allLiveAfterOutageMs / 1000).toFixed(1), r.missed, r.doubled]),
      ),
    ].join('\n') + '\n',
  );
} finally {
  await stack.stop();
}
