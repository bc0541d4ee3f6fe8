/**
 * Nothing lost, nothing misdelivered: postgres_changes on the RLS tables
 * reach exactly the subscribers entitled to them, under many concurrent
 * writers, through the real supabase-js client.
 *
 * Randomness (the order and interleaving of the writes, the generated ids) comes
 * from a seeded generator; the seed is printed, and BEACON_DELIVERY_SEED=<seed>
 * replays a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { SEEDED, startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { waitFor } from '../../../test/wait-for.ts';

type Row = Record<string, unknown>;
type Change = RealtimePostgresChangesPayload<Row>;
type Who = 'a' | 'b';

const TABLES = ['agent_tasks', 'conversation_metadata', 'conversation_notes', 'conversation_contact_labels', 'contacts', 'user_profiles'] as const;
type Table = (typeof TABLES)[number];

let fx: RealtimeFixture;
const seeded: Record<Who, { id: string; email: string; agents: string[]; contacts: string[] }> = {
  a: { ...SEEDED.a, agents: [], contacts: [] },
  b: { ...SEEDED.b, agents: [], contacts: [] },
};

beforeAll(async () => {
  fx = await startRealtimeFixture();
  for (const who of ['a', 'b'] as const) {
    const owner = seeded[who];
    owner.agents = (await fx.db.pool.query<{ id: string }>('select id from public.ai_agents where user_id = $1 order by id', [owner.id])).rows.map((r) => r.id);
    owner.contacts = (await fx.db.pool.query<{ id: string }>('select id from public.contacts where user_id = $1 order by id', [owner.id])).rows.map(
      (r) => r.id,
    );
  }
});

afterAll(async () => {
  await fx?.stop();
});

/** mulberry32: small, fast, good enough to shuffle test work reproducibly. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8) as number).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Resolves once SUBSCRIBED and "Subscribed to PostgreSQL" (changes flow from then on). */
async function subscribe(channel: RealtimeChannel): Promise<void> {
  let flowing = false;
  channel.on('system', {}, (p: Row) => {
    if (p.extension === 'postgres_changes' && p.status === 'ok') flowing = true;
  });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
  await waitFor(() => flowing, '"Subscribed to PostgreSQL"');
}

async function clientFor(who: Who): Promise<SupabaseClient> {
  const token = await fx.tokenFor(seeded[who]);
  return fx.client(() => token);
}

/** One subscriber: every change of the six tables, keyed as `table:TYPE:id:marker`. */
async function subscribeAll(who: Who, received: string[]): Promise<void> {
  const client = await clientFor(who);
  let channel = client.channel(`all-${who}`);
  for (const table of TABLES) {
    channel = channel.on('postgres_changes', { event: '*', schema: 'public', table }, (p: Change) => received.push(keyOf(p)));
  }
  await subscribe(channel);
}

const MARKER_COLUMN: Record<Table, string> = {
  agent_tasks: 'title',
  conversation_metadata: 'summary',
  conversation_notes: 'body',
  conversation_contact_labels: 'label',
  contacts: 'full_name',
  user_profiles: 'display_name',
};

/**
 * What identifies a delivered change. On these RLS tables `old` must hold the primary
 * key only (REPLICA IDENTITY FULL notwithstanding); anything else shows up as a key
 * nobody expects, i.e. as misdelivered.
 */
function keyOf(p: Change): string {
  const table = p.table as Table;
  const oldKeys = Object.keys(p.old as Row).join('|');
  if (p.eventType !== 'INSERT' && oldKeys !== 'id') return `${table}:${p.eventType}:old has ${oldKeys}`;
  if (p.eventType === 'DELETE') return `${table}:DELETE:${String((p.old as Row).id)}`;
  const record = p.new as Row;
  return `${table}:${p.eventType}:${String(record.id)}:${String(record[MARKER_COLUMN[table]])}`;
}

interface Op {
  readonly sql: string;
  readonly params: unknown[];
  /** The key each entitled subscriber must receive, and who is entitled. */
  readonly key: string;
  readonly to: readonly Who[];
}

interface Plan {
  readonly setup: Array<{ sql: string; params: unknown[] }>;
  readonly ops: Op[];
}

/**
 * Per table: inserts of new rows, updates (each with a unique marker) of rows made
 * before subscribing, deletes of other such rows; rows are owned by A or B, or, for
 * user_profiles, by third users nobody subscribed is entitled to. INSERT/UPDATE go to
 * the owner only (RLS); DELETE goes to every subscriber of the table (no RLS check,
 * as on Supabase). The row sets of inserts, updates and deletes are disjoint, so
 * every expectation holds whatever the interleaving.
 */
function makePlan(random: () => number, perTable: number): Plan {
  const setup: Plan['setup'] = [];
  const ops: Op[] = [];
  const owner = (): Who => (random() < 0.5 ? 'a' : 'b');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let n = 0;
  const marker = () => `m${(n += 1)}`;
  const inserts = Math.round(perTable * 0.5);
  const updates = Math.round(perTable * 0.3);
  const deletes = perTable - inserts - updates;
  const updateRows = 20;

  // Row makers per table: SQL + params for a row with this id, owner and marker.
  const contactOf = (who: Who) => pick(seeded[who].contacts);
  const makers: Record<Exclude<Table, 'user_profiles'>, (id: string, who: Who, m: string) => { sql: string; params: unknown[] }> = {
    agent_tasks: (id, who, m) => ({
      sql: `insert into public.agent_tasks (id, agent_id, contact_id, title) values ($1, $2, $3, $4)`,
      params: [id, pick(seeded[who].agents), contactOf(who), m],
    }),
    conversation_metadata: (id, who, m) => ({
      sql: `insert into public.conversation_metadata (id, conversation_id, contact_id, summary) values ($1, $2, $3, $4)`,
      params: [id, uuidFrom(random), contactOf(who), m],
    }),
    conversation_notes: (id, who, m) => ({
      sql: `insert into public.conversation_notes (id, conversation_id, contact_id, author_id, body) values ($1, $2, $3, $4, $5)`,
      params: [id, uuidFrom(random), contactOf(who), seeded[who].id, m],
    }),
    conversation_contact_labels: (id, who, m) => ({
      sql: `insert into public.conversation_contact_labels (id, conversation_id, contact_id, label) values ($1, $2, $3, $4)`,
      params: [id, uuidFrom(random), contactOf(who), m],
    }),
    contacts: (id, who, m) => ({ sql: `insert into public.contacts (id, user_id, full_name) values ($1, $2, $3)`, params: [id, seeded[who].id, m] }),
  };

  for (const table of Object.keys(makers) as Array<keyof typeof makers>) {
    const make = makers[table];
    const column = MARKER_COLUMN[table];
    for (let i = 0; i < inserts; i += 1) {
      const id = uuidFrom(random);
      const who = owner();
      const m = marker();
      ops.push({ ...make(id, who, m), key: `${table}:INSERT:${id}:${m}`, to: [who] });
    }
    const updatable = Array.from({ length: updateRows }, () => ({ id: uuidFrom(random), who: owner() }));
    for (const row of updatable) setup.push(make(row.id, row.who, marker()));
    for (let i = 0; i < updates; i += 1) {
      const row = pick(updatable);
      const m = marker();
      ops.push({ sql: `update public.${table} set ${column} = $2 where id = $1`, params: [row.id, m], key: `${table}:UPDATE:${row.id}:${m}`, to: [row.who] });
    }
    for (let i = 0; i < deletes; i += 1) {
      const id = uuidFrom(random);
      setup.push(make(id, owner(), marker()));
      ops.push({ sql: `delete from public.${table} where id = $1`, params: [id], key: `${table}:DELETE:${id}`, to: ['a', 'b'] });
    }
  }

  // user_profiles: the profile id is the user's id. Inserts and deletes concern third users
  // (no subscriber may read their profiles: INSERTs reach nobody, DELETEs everyone); updates
  // hit A's and B's own profiles.
  const thirdUser = () => {
    const id = uuidFrom(random);
    setup.push({ sql: `insert into auth.users (id, email) values ($1, $2)`, params: [id, `${id}@third.example`] });
    return id;
  };
  for (let i = 0; i < inserts; i += 1) {
    const id = thirdUser();
    const m = marker();
    ops.push({
      sql: `insert into public.user_profiles (id, email, display_name) values ($1, $2, $3)`,
      params: [id, `${id}@third.example`, m],
      key: `user_profiles:INSERT:${id}:${m}`,
      to: [],
    });
  }
  for (let i = 0; i < updates; i += 1) {
    const who = owner();
    const m = marker();
    ops.push({
      sql: `update public.user_profiles set display_name = $2 where id = $1`,
      params: [seeded[who].id, m],
      key: `user_profiles:UPDATE:${seeded[who].id}:${m}`,
      to: [who],
    });
  }
  for (let i = 0; i < deletes; i += 1) {
    const id = thirdUser();
    setup.push({ sql: `insert into public.user_profiles (id, email, display_name) values ($1, $2, $3)`, params: [id, `${id}@third.example`, marker()] });
    ops.push({ sql: `delete from public.user_profiles where id = $1`, params: [id], key: `user_profiles:DELETE:${id}`, to: ['a', 'b'] });
  }

  // Fisher–Yates, so the writers interleave tables and kinds of change.
  for (let i = ops.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [ops[i], ops[j]] = [ops[j] as Op, ops[i] as Op];
  }
  return { setup, ops };
}

/** Runs the ops on `writers` connections at once, each taking the next op until none is left. */
async function runConcurrently(ops: readonly Op[], writers: number): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: writers }, async () => {
      const client = new pg.Client({ connectionString: fx.db.url });
      await client.connect();
      return client;
    }),
  );
  let next = 0;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (next < ops.length) {
          const op = ops[next] as Op;
          next += 1;
          const result = await client.query(op.sql, op.params);
          if (result.rowCount !== 1) throw new Error(`expected one row for ${op.key}, got ${result.rowCount}`);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** Multiset difference: what `have` lacks of `want`, with repetitions. */
function missing(want: readonly string[], have: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of have) counts.set(key, (counts.get(key) ?? 0) + 1);
  const out: string[] = [];
  for (const key of want) {
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    else out.push(key);
  }
  return out;
}

describe('postgres_changes under concurrent writers', () => {
  it('delivers a change whose commit is streamed before it is visible to other sessions', async () => {
    // A synchronous standby that never comes makes a committing backend wait after its commit
    // record is flushed (pgoutput streams it) and before other sessions can see it: the window
    // that concurrent commits open for a moment, held open here.
    await fx.db.pool.query(`alter system set synchronous_standby_names = 'beacon_absent_standby'`);
    await fx.db.pool.query(`alter system set synchronous_commit = 'local'`);
    await fx.db.pool.query('select pg_reload_conf()');
    const writer = new pg.Client({ connectionString: fx.db.url });
    await writer.connect();
    try {
      const received: string[] = [];
      await subscribeAll('a', received);
      const pid = (await writer.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await writer.query('set synchronous_commit = on');
      const id = uuidFrom(generator(1));
      const insert = writer.query(`insert into public.agent_tasks (id, agent_id, contact_id, title) values ($1, $2, $3, 'held')`, [
        id,
        seeded.a.agents[0],
        seeded.a.contacts[0],
      ]);
      await waitFor(
        async () =>
          (await fx.db.pool.query('select 1 from pg_stat_activity where pid = $1 and wait_event = $2', [pid, 'SyncRep'])).rowCount === 1,
        'the insert to wait for the standby',
      );
      // The change has been streamed and its RLS check must wait, not conclude "not visible".
      await waitFor(
        async () =>
          (await fx.db.pool.query(`select 1 from pg_stat_activity where query like '%beacon_visible_rows%' and wait_event = 'PgSleep'`)).rowCount ===
          1,
        'the RLS check to wait for the transaction',
      );
      expect(received).toEqual([]);
      // Cancelling the wait for the standby completes the (already durable) commit.
      await fx.db.pool.query('select pg_cancel_backend($1)', [pid]);
      await insert;
      await waitFor(() => received.includes(`agent_tasks:INSERT:${id}:held`), 'the held insert');
    } finally {
      await fx.db.pool.query('alter system reset synchronous_standby_names');
      await fx.db.pool.query('alter system reset synchronous_commit');
      await fx.db.pool.query('select pg_reload_conf()');
      await writer.end();
    }
  });

  it('delivers every change on every RLS table to exactly the subscribers entitled to it', async () => {
    const seed = Number(process.env.BEACON_DELIVERY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`change-delivery: seed ${seed} (replay with BEACON_DELIVERY_SEED=${seed})`);
    const perTable = Number(process.env.BEACON_DELIVERY_PER_TABLE ?? 1000);
    const plan = makePlan(generator(seed), perTable);
    for (const step of plan.setup) await fx.db.pool.query(step.sql, step.params);

    const received: Record<Who, string[]> = { a: [], b: [] };
    await subscribeAll('a', received.a);
    await subscribeAll('b', received.b);

    const started = Date.now();
    await runConcurrently(plan.ops, 20);
    // A last change per subscriber, committed after all others: per socket, changes arrive in
    // commit order, so once it is in, anything else would be too.
    const sentinels = { a: 'sentinel-a', b: 'sentinel-b' };
    for (const who of ['a', 'b'] as const) {
      await fx.db.pool.query('update public.user_profiles set display_name = $2 where id = $1', [seeded[who].id, sentinels[who]]);
    }
    for (const who of ['a', 'b'] as const) {
      const key = `user_profiles:UPDATE:${seeded[who].id}:${sentinels[who]}`;
      await waitFor(() => received[who].includes(key), `the sentinel for ${who}`, 60_000);
    }

    const expected: Record<Who, string[]> = { a: [], b: [] };
    for (const op of plan.ops) for (const who of op.to) expected[who].push(op.key);
    const report = (['a', 'b'] as const).map((who) => {
      const got = received[who].filter((key) => !key.endsWith(`:${sentinels[who]}`));
      return { who, expected: expected[who].length, received: got.length, lost: missing(expected[who], got), misdelivered: missing(got, expected[who]) };
    });
    console.log(
      `change-delivery: ${plan.ops.length} changes, 20 writers, 2 subscribers, ` +
        report.map((r) => `${r.who}: ${r.received}/${r.expected} lost ${r.lost.length} misdelivered ${r.misdelivered.length}`).join('; ') +
        `; ${Date.now() - started} ms`,
    );
    for (const r of report) {
      expect(r.lost.slice(0, 10), `lost for ${r.who}`).toEqual([]);
      expect(r.misdelivered.slice(0, 10), `misdelivered to ${r.who}`).toEqual([]);
      expect(r.received).toBe(r.expected);
    }
    expect(plan.ops.length).toBeGreaterThanOrEqual(6000);
  }, 120_000);
});
