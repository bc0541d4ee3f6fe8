/**
 * Per-subscriber RLS for changes, in one database round trip per table and
 * batch: a local-only plpgsql function (schema `realtime`) loops over the
 * distinct (role, claims) sets, switches role and `request.jwt.claims` with
 * transaction-local set_config, and returns which of the given primary keys
 * that identity can SELECT. This is what Supabase's walrus `apply_rls` does per
 * subscription; logical decoding itself ignores RLS.
 */
import type pg from 'pg';

const FUNCTION_SIGNATURE = 'realtime.beacon_visible_rows(oid,jsonb,jsonb,bigint[])';

/** How long the check waits for a streamed transaction to become visible (1 ms steps). */
const VISIBILITY_WAIT_STEPS = 10_000;

const FUNCTION_SQL = `
create schema if not exists realtime;
-- True when every (32-bit, as pgoutput sends them) transaction id is visible in the current
-- snapshot. The epoch is taken from the snapshot's xmax: the id nearest to it is the one meant.
create or replace function realtime.beacon_xids_visible(xids bigint[])
returns boolean
language sql stable
as $fn$
  with s as (select pg_current_snapshot() as snap),
       m as (select snap, pg_snapshot_xmax(snap)::text::bigint as xmax from s),
       f as (select snap, xmax, (((xmax >> 32) << 32) | x) as full_xid from m, unnest(xids) as x)
  select coalesce(bool_and(pg_visible_in_snapshot(
           (case when full_xid > xmax + 2147483648 and full_xid >= 4294967296 then full_xid - 4294967296 else full_xid end)::text::xid8,
           snap)), true)
    from f
$fn$;
create or replace function realtime.beacon_visible_rows(entity oid, pk_rows jsonb, claim_sets jsonb, xids bigint[])
returns table (claim_index int, row_index int)
language plpgsql volatile
as $fn$
declare
  pk_condition text;
  probe text;
  claim record;
begin
  -- Each evaluation below runs in a new snapshot (READ COMMITTED, volatile function).
  for attempt in 1..${VISIBILITY_WAIT_STEPS} loop
    exit when realtime.beacon_xids_visible(xids);
    if attempt = ${VISIBILITY_WAIT_STEPS} then
      raise warning 'beacon realtime: transactions % still not visible; checking RLS anyway', xids;
    else
      perform pg_sleep(0.001);
    end if;
  end loop;
  select string_agg(format('t.%I = (k.pk ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)), ' and ')
    into pk_condition
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
   where i.indrelid = entity and i.indisprimary;
  if pk_condition is null then
    raise exception 'relation % has no primary key', entity::regclass;
  end if;
  probe := format(
    'select $2, k.idx::int from jsonb_array_elements($1) with ordinality k(pk, idx) where exists (select 1 from %s t where %s)',
    entity::regclass, pk_condition);
  for claim in select c.value, c.idx::int as idx from jsonb_array_elements(claim_sets) with ordinality c(value, idx) loop
    -- Allowed for any role: SET ROLE is checked against the session user (the superuser running this).
    perform set_config('role', claim.value ->> 'role', true);
    perform set_config('request.jwt.claims', claim.value ->> 'claims', true);
    perform set_config('request.jwt.claim.sub', coalesce(claim.value ->> 'sub', ''), true);
    perform set_config('request.jwt.claim.role', claim.value ->> 'role', true);
    return query execute probe using pk_rows, claim.idx;
  end loop;
end
$fn$;
revoke all on function realtime.beacon_visible_rows(oid, jsonb, jsonb, bigint[]) from public;
`;

/** Creates the function if this database does not have it yet. */
export async function installRlsFunction(pool: pg.Pool): Promise<void> {
  const exists = async () =>
    (await pool.query<{ present: boolean }>('select to_regprocedure($1) is not null as present', [FUNCTION_SIGNATURE])).rows[0]?.present === true;
  if (await exists()) return;
  try {
    await pool.query(FUNCTION_SQL);
  } catch (error) {
    // Another stack on the same database may have created it at the same moment.
    if (!(await exists())) throw error;
  }
}

export interface ClaimSet {
  readonly role: string;
  /** The verified JWT claims as JSON text, exactly what request.jwt.claims holds. */
  readonly claimsJson: string;
  readonly sub: string | undefined;
}

/**
 * For each claim set, the indexes of the rows (by primary key, as text) it may
 * see once the transactions `xids` (which wrote those rows) are visible.
 * visible[c] holds row indexes for claimSets[c].
 */
export async function visibleRows(
  pool: pg.Pool,
  relid: number,
  pkRows: readonly Readonly<Record<string, string>>[],
  claimSets: readonly ClaimSet[],
  xids: readonly number[],
): Promise<Set<number>[]> {
  const visible = claimSets.map(() => new Set<number>());
  if (pkRows.length === 0 || claimSets.length === 0) return visible;
  const sets = claimSets.map((c) => ({ role: c.role, claims: c.claimsJson, sub: c.sub ?? '' }));
  const { rows } = await pool.query<{ claim_index: number; row_index: number }>(
    'select claim_index, row_index from realtime.beacon_visible_rows($1, $2::jsonb, $3::jsonb, $4::bigint[])',
    [relid, JSON.stringify(pkRows), JSON.stringify(sets), [...new Set(xids)]],
  );
  for (const row of rows) visible[row.claim_index - 1]?.add(row.row_index - 1);
  return visible;
}
