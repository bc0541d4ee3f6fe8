/**
 * npm run bench:sync — Beacon against the approaches it replaces, side by side
 * in one run on the local stack:
 *   (a) Beacon: one channel per agent, reconcile after every (re)subscribe, exactly-once ledger;
 *   (b) the original notes' approach: one channel per contact + 5 s polling fallback;
 *   (c) polling every 5 s only.
 * All three are signed in as the same agent (200 contacts) and see the same
 * workload. Reported per approach: commit → notification latency, channels and
 * sockets, REST requests per idle minute, notifications missed and doubled under
 * a fault schedule; for Beacon also the heap of its tray state with 10,000 tasks
 * and 50,000 conversation changes, and its CPU over an idle minute.
 *
 * The stack runs in a child process (`npm run stack -- --ephemeral --json`) so
 * that this process's CPU is the client's alone. Run with `node --expose-gc`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { percentile, printTable } from '../../supabase/local/bench/report.ts';
import type { Approach } from './approach.ts';
import { beaconCore } from './beacon.ts';
import { perContactChannels } from './per-contact-channels.ts';
import { pollingOnly } from './polling-only.ts';
import { measureModelFootprint } from './model-footprint.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '200' },
    'latency-tasks': { type: 'string', default: '60' },
    'fault-seconds': { type: 'string', default: '60' },
    'idle-seconds': { type: 'string', default: '60' },
    rate: { type: 'string', default: '4' },
  },
});
const CONTACTS = Number(values.contacts);
const LATENCY_TASKS = Number(values['latency-tasks']);
const FAULT_SECONDS = Number(values['fault-seconds']);
const IDLE_SECONDS = Number(values['idle-seconds']);
const RATE = Number(values.rate); // tasks finishing per second
const EMAIL = 'bench.sync@beacon.local';
const PASSWORD = 'bench-sync-password';

const log = (message: string) => process.stderr.write(`[bench:sync] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- 1. Beacon's state footprint, before anything else lives in this heap ----
log('measuring the tray state footprint (10,000 tasks, 50,000 conversation changes)');
const footprint = measureModelFootprint();

// ---- 2. the stack, in its own process ----
const readySchema = z.object({ url: z.string(), anonKey: z.string(), serviceRoleKey: z.string(), dbUrl: z.string() });
const stackProcess = spawn(process.execPath, [fileURLToPath(new URL('../../supabase/local/cli.ts', import.meta.url)), '--ephemeral', '--port', '0', '--json'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ready = readySchema.parse(
  JSON.parse(
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: stackProcess.stdout }).once('line', resolve);
      stackProcess.once('exit', (code) => reject(new Error(`stack exited with ${code}`)));
    }),
  ),
);
const pool = new pg.Pool({ connectionString: ready.dbUrl, max: 4 });
const approaches: Approach[] = [];

async function fault(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${ready.url}/admin/v1/faults`, {
    method: 'POST',
    headers: { apikey: ready.serviceRoleKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fault ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
  log(`fault: ${JSON.stringify(body)}`);
}

try {
  // ---- 3. one agent with 200 contacts ----
  const user = await pool.query<{ id: string }>(
    `insert into auth.users (email, encrypted_password, email_confirmed_at)
     values ($1, extensions.crypt($2, extensions.gen_salt('bf', 4)), now()) returning id`,
    [EMAIL, PASSWORD],
  );
  const userId = user.rows[0]!.id;
  await pool.query(`insert into public.user_profiles (id, email, display_name) values ($1, $2, 'Bench Agent')`, [userId, EMAIL]);
  const agentId = (await pool.query<{ id: string }>(`insert into public.ai_agents (user_id, name) values ($1, 'Bench AI') returning id`, [userId])).rows[0]!.id;
  const contactIds = (
    await pool.query<{ id: string }>(
      `insert into public.contacts (user_id, full_name, company) select $1, 'Contact ' || g, 'Acme' from generate_series(1, $2::int) g returning id`,
      [userId, CONTACTS],
    )
  ).rows.map((r) => r.id);

  const credentials = { url: ready.url, anonKey: ready.anonKey, email: EMAIL, password: PASSWORD };
  const a = beaconCore(credentials);
  const b = perContactChannels({ ...credentials, contactIds });
  const c = pollingOnly(credentials);
  approaches.push(a, b, c);
  for (const approach of approaches) {
    log(`starting ${approach.name}`);
    await approach.start();
  }
  await sleep(5000); // joins settle (b's channels beyond the server's 100 per connection are refused)

  // ---- the workload: tasks created, started and finished; commit time of each final status ----
  const committed = new Map<string, { status: string; at: number }>();
  let taskCounter = 0;
  async function runTask(): Promise<void> {
    const contactId = contactIds[taskCounter % contactIds.length]!;
    const final = taskCounter % 5 === 4 ? 'failed' : 'completed';
    taskCounter += 1;
    const id = (
      await pool.query<{ id: string }>(`insert into public.agent_tasks (agent_id, contact_id, title, status) values ($1, $2, $3, 'in_progress') returning id`, [
        agentId,
        contactId,
        `bench task ${taskCounter}`,
      ])
    ).rows[0]!.id;
    await sleep(300);
    // Taken just before the UPDATE is sent: a realtime delivery can reach this process before the
    // UPDATE's own reply does, so a time taken after the reply would understate the latency.
    const sentAt = Date.now();
    await pool.query(`update public.agent_tasks set status = $2, result = 'ok' where id = $1`, [id, final]);
    committed.set(id, { status: final, at: sentAt });
  }
  async function workload(count: number, perSecond: number): Promise<string[]> {
    const started = Date.now();
    const before = new Set(committed.keys());
    const running: Promise<void>[] = [];
    for (let i = 0; i < count; i += 1) {
      const wait = started + (i * 1000) / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
      running.push(runTask());
    }
    await Promise.all(running);
    return [...committed.keys()].filter((id) => !before.has(id));
  }

  // ---- 5. latency ----
  log(`latency phase: ${LATENCY_TASKS} tasks at ${RATE}/s`);
  const latencyTasks = new Set(await workload(LATENCY_TASKS, RATE));
  await sleep(8000);

  // ---- 6. faults while tasks keep finishing ----
  log(`fault phase: ${FAULT_SECONDS} s`);
  const faultTasks = workload(Math.round(FAULT_SECONDS * RATE * 0.75), RATE);
  const schedule: Array<[number, Record<string, unknown>]> = [
    [0.08, { action: 'drop-sockets' }],
    [0.25, { action: 'pause-replication' }],
    [0.33, { action: 'resume-replication', drop: true }],
    [0.45, { action: 'silence-heartbeats' }],
    [0.62, { action: 'clear' }],
    [0.72, { action: 'restart-realtime' }],
    [0.82, { action: 'expire-tokens', userId }],
  ];
  const faultStart = Date.now();
  for (const [at, body] of schedule) {
    const wait = faultStart + at * FAULT_SECONDS * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    await fault(body);
  }
  const faultTaskIds = new Set(await faultTasks);
  log('settling');
  await sleep(15_000);

  // ---- 7. idle: REST requests while nothing happens ----
  log(`idle phase: ${IDLE_SECONDS} s`);
  const restBefore = approaches.map((x) => x.stats().restCalls);
  await sleep(IDLE_SECONDS * 1000);
  const restPerMinute = approaches.map((x, i) => ((x.stats().restCalls - restBefore[i]!) * 60) / IDLE_SECONDS);
  const connections = approaches.map((x) => x.stats());

  // ---- 8. Beacon alone: CPU over an idle minute ----
  await b.stop();
  await c.stop();
  approaches.splice(1);
  await sleep(2000);
  log(`Beacon-only idle CPU: ${IDLE_SECONDS} s`);
  const cpuBefore = process.cpuUsage();
  const cpuWall = Date.now();
  await sleep(IDLE_SECONDS * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const cpuPercent = (cpuSeconds / ((Date.now() - cpuWall) / 1000)) * 100;

  // ---- report ----
  const rows = [a, b, c].map((approach, index) => {
    const firsts = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const n of approach.notified) {
      const key = `${n.taskId}:${n.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!firsts.has(n.taskId)) firsts.set(n.taskId, n.at);
    }
    const latencies = [...latencyTasks].flatMap((id) => (firsts.has(id) ? [firsts.get(id)! - committed.get(id)!.at] : []));
    const judged = (ids: Set<string>) => {
      let missed = 0;
      let doubled = 0;
      for (const id of ids) {
        const n = counts.get(`${id}:${committed.get(id)!.status}`) ?? 0;
        if (n === 0) missed += 1;
        if (n > 1) doubled += n - 1;
      }
      return { missed, doubled };
    };
    const calm = judged(latencyTasks);
    const faulty = judged(faultTaskIds);
    const stats = connections[index]!;
    return {
      name: approach.name,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      calm,
      faulty,
      channels: stats.channels,
      sockets: stats.sockets,
      rest: restPerMinute[index]!,
    };
  });

  const cell = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
  const each = (f: (r: (typeof rows)[number]) => string) => rows.map(f);
  printTable(
    `bench:sync — ${CONTACTS} contacts; ${LATENCY_TASKS} tasks for latency; ${faultTaskIds.size} tasks under the fault schedule`,
    [
      ['commit → notification p50', ...each((r) => cell(r.p50))],
      ['commit → notification p95', ...each((r) => cell(r.p95))],
      ['commit → notification p99', ...each((r) => cell(r.p99))],
      ['missed / doubled, no faults', ...each((r) => `${r.calm.missed} / ${r.calm.doubled}`)],
      ['missed / doubled, fault schedule', ...each((r) => `${r.faulty.missed} / ${r.faulty.doubled}`)],
      [`channels / sockets (${CONTACTS} contacts)`, ...each((r) => `${r.channels} / ${r.sockets}`)],
      ['REST requests per idle minute', ...each((r) => r.rest.toFixed(0))],
      ['heap, 10,000 tasks + 50,000 changes', `${footprint.heapMiB.toFixed(1)} MiB`, '', ''],
      [`CPU over an idle ${IDLE_SECONDS} s`, `${cpuSeconds.toFixed(2)} s (${cpuPercent.toFixed(2)} % of a core)`, '', ''],
    ],
    ['metric', ...rows.map((r) => r.name)],
  );
  process.stdout.write(`p50 of (a) is ${(rows[2]!.p50 / rows[0]!.p50).toFixed(0)}× lower than (c). Tray state kept: ${footprint.contactsKept} contacts, ${footprint.timelineEntries} timeline entries (bounded).\n`);
} finally {
  for (const approach of approaches) await approach.stop().catch(() => undefined);
  await pool.end();
  stackProcess.kill('SIGTERM');
  await new Promise((resolve) => stackProcess.once('exit', resolve));
  process.exit(0);
}
