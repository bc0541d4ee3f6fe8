/**
 * Every postgres_changes filter operator realtime-js 2.119 can send, and
 * `select`, through supabase-js, on a table made for it. What each filter
 * should let through is asked of PostgreSQL itself (the same condition as a
 * WHERE clause), since Realtime compares in the column's type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel, RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js';
import { SEEDED, startRealtimeFixture, type RealtimeFixture } from './test-fixture.ts';
import { waitFor } from '../../../test/wait-for.ts';

type Row = Record<string, unknown>;
type Change = RealtimePostgresChangesPayload<Row>;

let fx: RealtimeFixture;
let client: SupabaseClient;

const PROBE = 'filter_probe';

beforeAll(async () => {
  fx = await startRealtimeFixture();
  await fx.db.pool.query(`
    create table public.${PROBE} (
      id int primary key, t text, v varchar(20), n numeric, big int8, b boolean, ts timestamptz, iv interval);
    grant select on public.${PROBE} to authenticated;
    alter publication supabase_realtime add table public.${PROBE};`);
  const token = await fx.tokenFor(SEEDED.a);
  client = await fx.client(() => token);
});

afterAll(async () => {
  await fx?.stop();
});

/** Rows whose values sit on either side of the filters below. */
const ROWS: Array<[number, string | null, string | null, string | null, string | null, boolean | null, string | null, string | null]> = [
  [1, 'abc', 'abc', '1.5', '9007199254740993', true, '2026-01-01 10:00:00+00', '10:00:00'],
  [2, 'ABC', 'ABd', '1.50', '9007199254740992', false, '2026-01-01 09:00:00.000001+00', '2 days'],
  [3, 'b', 'b', '-2', '1', null, '2025-12-31 23:00:00-02', '1 day 01:00:00'],
  [4, 'ﬀ', 'ﬀ', '10', '-5', true, null, '1 day'],
  [5, '😀', 'x,y', '0', null, false, '2026-06-01 00:00:00+00', '-1 day'],
  [6, null, null, null, '0', null, '2026-01-01 10:00:00+00', null],
  [7, 'a%c', 'aXc', '2', '2', true, '2027-01-01 00:00:00+00', '00:00:01'],
];

/** Filter string → the same condition in SQL (the oracle). */
const CASES: Array<[string, string]> = [
  ['t=lt.ﬀ', `t < 'ﬀ'`],
  ['t=gte.b', `t >= 'b'`],
  ['v=gt.ABd', `v > 'ABd'::varchar`],
  ['n=lte.1.5', 'n <= 1.5'],
  ['n=eq.1.5', 'n = 1.5'],
  ['big=gt.9007199254740992', 'big > 9007199254740992'],
  ['ts=gt.2026-01-01 09:00:00+00', `ts > '2026-01-01 09:00:00+00'`],
  ['iv=gt.1 day', `iv > '1 day'::interval`],
  ['iv=lte.10:00:00', `iv <= '10:00:00'::interval`],
  ['t=like.a%', `t like 'a%'`],
  ['t=ilike.A%C', `t ilike 'A%C'`],
  ['t=like.a\\%c', `t like 'a\\%c'`],
  ['t=match.^a.c$', `t ~ '^a.c$'`],
  ['t=imatch.^A.C$', `t ~* '^A.C$'`],
  ['b=is.true', 'b is true'],
  ['b=is.false', 'b is false'],
  ['b=is.null', 'b is null'],
  ['b=is.unknown', 'b is unknown'],
  ['t=is.null', 't is null'],
  ['b=not.is.true', 'b is not true'],
  ['t=not.is.null', 't is not null'],
  ['t=isdistinct.abc', `t is distinct from 'abc'`],
  ['t=not.isdistinct.abc', `t is not distinct from 'abc'`],
  ['t=not.eq.abc', `not (t = 'abc')`],
  ['t=not.in.(abc,b)', `not (t in ('abc', 'b'))`],
  ['n=not.lt.1', 'not (n < 1)'],
  ['t=not.like.a%', `not (t like 'a%')`],
  ['v=eq."x,y"', `v = 'x,y'`],
  ['n=gt.0,t=like.a%', `n > 0 and t like 'a%'`],
  ['big=in.(1,2,-5)', 'big in (1, 2, -5)'],
];

/** Subscribes and resolves once the postgres_changes system message (ok or error) is in. */
async function subscribe(channel: RealtimeChannel): Promise<Row> {
  let system: Row | undefined;
  channel.on('system', {}, (p: Row) => {
    if (p.extension === 'postgres_changes') system ??= p;
  });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
  return waitFor(() => system, 'the postgres_changes system message');
}

describe('filter operators', () => {
  it('lets through exactly the rows PostgreSQL says match, for every operator and negation', async () => {
    const got = new Map<string, number[]>(CASES.map(([filter]) => [filter, []]));
    const all: number[] = [];
    let channel = client.channel('filters-all').on('postgres_changes', { event: 'INSERT', schema: 'public', table: PROBE }, (p: Change) =>
      all.push((p.new as Row).id as number),
    );
    for (const [filter] of CASES) {
      channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: PROBE, filter }, (p: Change) =>
        got.get(filter)?.push((p.new as Row).id as number),
      );
    }
    expect(await subscribe(channel)).toMatchObject({ status: 'ok', message: 'Subscribed to PostgreSQL' });

    for (const row of ROWS) {
      await fx.db.pool.query(`insert into public.${PROBE} (id, t, v, n, big, b, ts, iv) values ($1, $2, $3, $4, $5, $6, $7, $8)`, row);
    }
    // Frames arrive in commit order: once the unfiltered binding has the last row, every binding has all it will get.
    await waitFor(() => all.length === ROWS.length, 'all rows at the unfiltered binding');

    for (const [filter, condition] of CASES) {
      const { rows } = await fx.db.pool.query<{ id: number }>(`select id from public.${PROBE} where ${condition} order by id`);
      expect({ filter, ids: got.get(filter) }).toEqual({ filter, ids: rows.map((r) => r.id) });
    }
    // The cases are not vacuous: the emoji sorts after ﬀ in PostgreSQL, before it as a JavaScript string.
    expect(got.get('t=lt.ﬀ')).not.toContain(5);
    expect('😀' < 'ﬀ').toBe(true);
    expect(got.get('big=gt.9007199254740992')).toEqual([1]);
    expect(got.get('iv=gt.1 day')).toEqual([2, 3]);
    await fx.db.pool.query(`delete from public.${PROBE}`);
  });

  it('sends only the selected columns (plus the primary key) with `select`', async () => {
    const events: Change[] = [];
    const channel = client
      .channel('filters-select')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: PROBE, select: ['t', 'n'], filter: 'n=gte.0' }, (p: Change) => events.push(p));
    expect(await subscribe(channel)).toMatchObject({ status: 'ok' });
    await fx.db.pool.query(`insert into public.${PROBE} (id, t, n, big) values (100, 'x', -1, 1), (101, 'y', 3, 2)`);
    await waitFor(() => events.length === 1, 'the selected insert');
    expect(events[0]?.new).toEqual({ id: 101, t: 'y', n: 3 });
    await fx.db.pool.query(`delete from public.${PROBE}`);
  });
});

describe('filters the server cannot evaluate', () => {
  const errorFor = async (name: string, filter: string): Promise<Row> =>
    subscribe(client.channel(`filters-error-${name}`).on('postgres_changes', { event: '*', schema: 'public', table: PROBE, filter }, () => undefined));

  it("reports Realtime's errors as a postgres_changes system error", async () => {
    expect(await errorFor('cs', 't=cs.{a}')).toMatchObject({ status: 'error', message: 'Error parsing `filter` params: ["cs", "{a}"]' });
    const prefix = 'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ';
    const cases: Array<[string, string, string]> = [
      ['like-bool', 'b=like.t%', 'ERROR P0001 (raise_exception) operator like requires a text-compatible column type, got boolean'],
      ['is-text', 't=is.true', 'ERROR P0001 (raise_exception) is true filter requires a boolean column, got text'],
      ['is-bad', 'b=is.maybe', 'ERROR P0001 (raise_exception) invalid value for is filter: must be null, true, false, or unknown'],
      ['regex', 't=match.(', 'ERROR P0001 (raise_exception) invalid regular expression for match filter: '],
      ['cast', 'n=lt.abc', 'ERROR 22P02 (invalid_text_representation) invalid input syntax for type numeric: "abc"'],
    ];
    for (const [name, filter, exception] of cases) {
      const system = await errorFor(name, filter);
      expect(system).toMatchObject({ status: 'error', extension: 'postgres_changes' });
      expect(String(system.message)).toContain(prefix);
      expect(String(system.message)).toContain(`Exception: ${exception}`);
    }
  });
});
