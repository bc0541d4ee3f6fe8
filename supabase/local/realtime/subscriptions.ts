/**
 * Turns a channel's `postgres_changes` bindings into subscriptions: which
 * published tables each binding covers, its action, its filters (validated
 * and canonicalised by PostgreSQL for the column types) and which columns the
 * subscriber's role may read. Failures carry Realtime's exact messages; they
 * are reported as a `postgres_changes` system error and the channel stays
 * joined.
 */
import type pg from 'pg';
import {
  describeFilters,
  equalityKey,
  IS_VALUES,
  parseFilter,
  type CompiledFilter,
  type IsValue,
  type ParsedFilter,
} from './filters.ts';
import { inspectElixir } from './join-payload.ts';
import type { TypeCatalog } from './type-catalog.ts';

export const PUBLICATION = 'supabase_realtime';

export type Action = '*' | 'INSERT' | 'UPDATE' | 'DELETE';

export interface Binding {
  /** The map the client sent, echoed verbatim (plus `id`) in the join reply. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly id: number;
}

export interface Subscription {
  readonly bindingId: number;
  readonly relid: number;
  readonly action: Action;
  readonly filters: readonly CompiledFilter[];
  /** Columns the role may SELECT (Realtime only sends those). */
  readonly readableColumns: ReadonlySet<string>;
  /** `select` option: these plus the primary key; null = all readable columns. */
  readonly selectedColumns: ReadonlySet<string> | null;
  /** False when the role cannot read every primary-key column: changes arrive as `Error 401`. */
  readonly primaryKeyReadable: boolean;
}

export interface SubscriberRole {
  readonly role: string;
  /** Superusers and BYPASSRLS roles (service_role) see every row. */
  readonly bypassRls: boolean;
}

export type ResolveResult = { ok: true; role: SubscriberRole; subscriptions: Subscription[] } | { ok: false; message: string };

interface ColumnRow {
  name: string;
  type_oid: number;
  type_sql: string;
  /** pg_type.typcategory: 'S' string types (text, varchar, char, name, citext…), 'B' boolean. */
  type_category: string;
  readable: boolean;
  in_pk: boolean;
}

const COLUMNS_SQL = `
  select a.attname::text as name, a.atttypid::int as type_oid, format_type(a.atttypid, a.atttypmod) as type_sql,
         (select t.typcategory::text from pg_type t where t.oid = a.atttypid) as type_category,
         has_column_privilege($2::name, a.attrelid, a.attnum, 'SELECT') as readable,
         exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indisprimary and a.attnum = any (i.indkey)) as in_pk
    from pg_attribute a
   where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
   order by a.attnum`;

const TABLES_SQL = `
  select c.oid::int as relid
    from pg_publication_tables pt
    join pg_namespace n on n.nspname = pt.schemaname
    join pg_class c on c.relnamespace = n.oid and c.relname = pt.tablename
   where pt.pubname = $1 and ($2 = '*' or pt.schemaname = $2) and ($3 = '*' or pt.tablename = $3)
   order by pt.schemaname, pt.tablename`;

/** Condition names for the SQLSTATEs a filter value cast can raise (Realtime prints both). */
const CONDITION_NAMES: Record<string, string> = {
  P0001: 'raise_exception',
  '22P02': 'invalid_text_representation',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22003': 'numeric_value_out_of_range',
  '22001': 'string_data_right_truncation',
  '22023': 'invalid_parameter_value',
  '42704': 'undefined_object',
  '2201B': 'invalid_regular_expression',
};

class SubscribeError extends Error {
  readonly sqlState: string;
  constructor(sqlState: string, message: string) {
    super(message);
    this.sqlState = sqlState;
  }
}

interface NormalizedBinding {
  readonly action: Action;
  readonly schema: string;
  readonly table: string;
  readonly filters: ParsedFilter[];
  readonly select: string[] | null;
}

function normalizeAction(event: unknown): Action {
  const upper = typeof event === 'string' ? event.toUpperCase() : '*';
  return upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' ? upper : '*';
}

function normalize(params: Readonly<Record<string, unknown>>): { ok: true; binding: NormalizedBinding } | { ok: false; message: string } {
  const schema = typeof params.schema === 'string' ? params.schema : undefined;
  const table = typeof params.table === 'string' ? params.table : undefined;
  if (schema === undefined && table === undefined) {
    return {
      ok: false,
      message: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${inspectElixir(params)}`,
    };
  }
  const resolvedSchema = schema ?? 'public';
  const resolvedTable = table ?? '*';
  const wildcard = resolvedSchema === '*' || resolvedTable === '*';
  // A filter only applies when both schema and table are named.
  const parsed = schema !== undefined && table !== undefined ? parseFilter(typeof params.filter === 'string' ? params.filter : undefined) : { ok: true as const, filters: [] };
  if (!parsed.ok) return { ok: false, message: parsed.message };
  let select: string[] | null = null;
  if (params.select !== undefined && params.select !== null) {
    if (!Array.isArray(params.select) || !params.select.every((c): c is string => typeof c === 'string')) {
      return { ok: false, message: 'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]' };
    }
    if (wildcard) {
      return { ok: false, message: 'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.' };
    }
    select = params.select;
  }
  return { ok: true, binding: { action: normalizeAction(params.event), schema: resolvedSchema, table: resolvedTable, filters: parsed.filters, select } };
}

function describeParams(binding: NormalizedBinding): string {
  const select = binding.select === null ? 'nil' : inspectElixir(binding.select);
  return `[event: ${binding.action}, schema: ${binding.schema}, table: ${binding.table}, filters: ${describeFilters(binding.filters)}, select: ${select}]`;
}

export async function resolveBindings(
  pool: pg.Pool,
  types: TypeCatalog,
  bindings: readonly Binding[],
  role: string,
): Promise<ResolveResult> {
  const roleRow = await pool.query<{ bypass: boolean }>('select (rolsuper or rolbypassrls) as bypass from pg_roles where rolname = $1', [role]);
  const subscriberRole: SubscriberRole = { role, bypassRls: roleRow.rows[0]?.bypass ?? false };
  const subscriptions: Subscription[] = [];
  for (const binding of bindings) {
    const normalized = normalize(binding.params);
    if (!normalized.ok) return { ok: false, message: normalized.message };
    const b = normalized.binding;
    const tables = await pool.query<{ relid: number }>(TABLES_SQL, [PUBLICATION, b.schema, b.table]);
    if (tables.rows.length === 0) {
      return {
        ok: false,
        message: `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describeParams(b)}`,
      };
    }
    try {
      if (roleRow.rows.length === 0) throw new SubscribeError('22023', `role "${role}" does not exist`);
      for (const { relid } of tables.rows) {
        subscriptions.push(await subscribeTable(pool, types, binding.id, relid, b, role));
      }
    } catch (error) {
      if (!(error instanceof SubscribeError)) throw error;
      const condition = CONDITION_NAMES[error.sqlState];
      return {
        ok: false,
        message:
          'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: ' +
          `${describeParams(b)}. Exception: ERROR ${error.sqlState}${condition ? ` (${condition})` : ''} ${error.message}`,
      };
    }
  }
  return { ok: true, role: subscriberRole, subscriptions };
}

async function subscribeTable(
  pool: pg.Pool,
  types: TypeCatalog,
  bindingId: number,
  relid: number,
  binding: NormalizedBinding,
  role: string,
): Promise<Subscription> {
  const { rows: columns } = await pool.query<ColumnRow>(COLUMNS_SQL, [relid, role]);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const columnTypes = await types.resolve(columns.map((c) => c.type_oid));
  const filters: CompiledFilter[] = [];
  for (const filter of binding.filters) {
    const column = byName.get(filter.column);
    if (!column || !column.readable) throw new SubscribeError('P0001', `invalid column for filter ${filter.column}`);
    if (filter.op === 'in' && filter.values.length > 100) throw new SubscribeError('P0001', 'too many values for `in` filter. Maximum 100');
    const kind = columnTypes.get(column.type_oid)?.kind ?? { kind: 'text' as const };
    filters.push(await compileFilter(pool, filter, column, kind));
  }
  let selectedColumns: Set<string> | null = null;
  if (binding.select) {
    for (const name of binding.select) {
      if (!byName.get(name)?.readable) throw new SubscribeError('P0001', `invalid column for select ${name}`);
    }
    selectedColumns = new Set([...binding.select, ...columns.filter((c) => c.in_pk).map((c) => c.name)]);
  }
  const pk = columns.filter((c) => c.in_pk);
  return {
    bindingId,
    relid,
    action: binding.action,
    filters,
    readableColumns: new Set(columns.filter((c) => c.readable).map((c) => c.name)),
    selectedColumns,
    primaryKeyReadable: pk.every((c) => c.readable),
  };
}

/** Validates one condition against its column, as Realtime's subscription trigger does. */
async function compileFilter(pool: pg.Pool, filter: ParsedFilter, column: ColumnRow, kind: ColumnKind): Promise<CompiledFilter> {
  const base = { column: filter.column, negate: filter.negate };
  const value = filter.values[0] ?? '';
  switch (filter.op) {
    case 'is': {
      const keyword = value.toLowerCase();
      if (!isIsValue(keyword)) throw new SubscribeError('P0001', 'invalid value for is filter: must be null, true, false, or unknown');
      if (keyword !== 'null' && column.type_category !== 'B') {
        throw new SubscribeError('P0001', `is ${keyword} filter requires a boolean column, got ${column.type_sql}`);
      }
      return { ...base, op: 'is', kind, value: keyword };
    }
    case 'like':
    case 'ilike':
    case 'match':
    case 'imatch':
      if (column.type_category !== 'S') {
        throw new SubscribeError('P0001', `operator ${filter.op} requires a text-compatible column type, got ${column.type_sql}`);
      }
      if (filter.op === 'match' || filter.op === 'imatch') await checkRegex(pool, value);
      return { ...base, op: filter.op, typeSql: column.type_sql, target: value };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { ...base, op: filter.op, typeSql: column.type_sql, target: (await canonicalValues(pool, [value], column.type_sql))[0] ?? '' };
    case 'eq':
    case 'neq':
    case 'in':
    case 'isdistinct': {
      const canonical = await canonicalValues(pool, filter.values, column.type_sql);
      return { ...base, op: filter.op, kind, keys: canonical.map((v) => equalityKey(v, kind)) };
    }
  }
}

type ColumnKind = Extract<CompiledFilter, { op: 'is' }>['kind'];

function isIsValue(value: string): value is IsValue {
  return (IS_VALUES as readonly string[]).includes(value);
}

async function checkRegex(pool: pg.Pool, pattern: string): Promise<void> {
  try {
    await pool.query(`select '' ~ $1`, [pattern]);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === '2201B') throw new SubscribeError('P0001', `invalid regular expression for match filter: ${e.message ?? ''}`);
    throw error;
  }
}

/** Casts each value to the column type and back to text, as PostgreSQL prints it. */
async function canonicalValues(pool: pg.Pool, values: readonly string[], typeSql: string): Promise<string[]> {
  try {
    const { rows } = await pool.query<{ v: string | null }>(
      `select (u.x::${typeSql})::text as v from unnest($1::text[]) with ordinality u(x, i) order by u.i`,
      [values],
    );
    return rows.map((r) => r.v ?? '');
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (typeof e.code === 'string') throw new SubscribeError(e.code, e.message ?? String(error));
    throw error;
  }
}
