/**
 * Builds the parameterized SQL for a REST request. Every identifier is quoted
 * (and tables/functions were already checked against the schema cache); every
 * value from the request is a bind parameter. Results are serialized to JSON by
 * PostgreSQL itself, exactly as PostgREST does, so types and formats match.
 */
import { quoteIdent } from './identifiers.ts';
import type { Filter, OrderTerm, QueryParams, SelectItem } from './query-params.ts';
import type { FunctionInfo } from './schema-cache.ts';

export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/** Result columns every row-returning statement produces. */
export interface RowsResult {
  /** JSON array text of the rows. */
  body: string;
  /** JSON text of the first row, or null. */
  first_row: string | null;
  page_count: string;
  total: string | null;
}

class Parameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Where rows come from: a FROM clause and the name columns are qualified with. */
interface Source {
  readonly with: string;
  readonly from: string;
  readonly ref: string;
}

const COMPARISON_SQL = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const IS_SQL = { null: 'NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' } as const;

function column(ref: string, name: string): string {
  return `${ref}.${quoteIdent(name)}`;
}

function filterSql(filter: Filter, ref: string, params: Parameters): string {
  const target = column(ref, filter.column);
  let condition: string;
  if (filter.op === 'in') condition = `${target} = ANY(${params.add(filter.values)})`;
  else if (filter.op === 'is') condition = `${target} IS ${IS_SQL[filter.value]}`;
  else condition = `${target} ${COMPARISON_SQL[filter.op]} ${params.add(filter.value)}`;
  return filter.negate ? `NOT (${condition})` : condition;
}

function whereSql(filters: readonly Filter[], ref: string, params: Parameters): string {
  return filters.length === 0 ? '' : ` WHERE ${filters.map((filter) => filterSql(filter, ref, params)).join(' AND ')}`;
}

function selectSql(items: readonly SelectItem[], ref: string): string {
  return items
    .map((item) => (item.kind === 'star' ? `${ref}.*` : `${column(ref, item.column)} AS ${quoteIdent(item.alias ?? item.column)}`))
    .join(', ');
}

function orderSql(terms: readonly OrderTerm[], ref: string): string {
  if (terms.length === 0) return '';
  const parts = terms.map((term) => {
    const direction = term.direction === undefined ? '' : ` ${term.direction.toUpperCase()}`;
    const nulls = term.nulls === undefined ? '' : ` NULLS ${term.nulls.toUpperCase()}`;
    return `${column(ref, term.column)}${direction}${nulls}`;
  });
  return ` ORDER BY ${parts.join(', ')}`;
}

function rowsSelect(rowsSql: string, total: string | undefined): string {
  return `SELECT coalesce(json_agg(_pgrst_t), '[]')::text AS body,
    (json_agg(_pgrst_t) -> 0)::text AS first_row,
    count(*)::int8 AS page_count,
    ${total ?? 'NULL::int8'} AS total
  FROM (${rowsSql}) _pgrst_t`;
}

function readFrom(source: Source, query: QueryParams, count: boolean, params: Parameters): string {
  const where = whereSql(query.filters, source.ref, params);
  const limit = query.limit === undefined ? '' : ` LIMIT ${params.add(query.limit)}`;
  const offset = query.offset === undefined ? '' : ` OFFSET ${params.add(query.offset)}`;
  const page = `SELECT ${selectSql(query.select, source.ref)} FROM ${source.from}${where}${orderSql(query.order, source.ref)}${limit}${offset}`;
  const total = count ? `(SELECT count(*) FROM ${source.from}${where})::int8` : undefined;
  return `${source.with}${rowsSelect(page, total)}`;
}

function tableRef(table: string): { from: string; ref: string } {
  return { from: `"public".${quoteIdent(table)}`, ref: quoteIdent(table) };
}

export function readTable(table: string, query: QueryParams, count: boolean): Statement {
  const params = new Parameters();
  return { text: readFrom({ with: '', ...tableRef(table) }, query, count, params), values: params.values };
}

/** Insert rows given as a JSON array; `columns` are already checked against the table. */
export function insertRows(table: string, columns: readonly string[], rows: unknown[], query: QueryParams, representation: boolean): Statement {
  const params = new Parameters();
  const { from, ref } = tableRef(table);
  const list = columns.map(quoteIdent).join(', ');
  const source = `json_populate_recordset(NULL::${from}, ${params.add(JSON.stringify(rows))}::json) _pgrst_body`;
  // No columns ({} or [{}]): every column takes its default, one row per object.
  const insert = columns.length === 0 ? `INSERT INTO ${from} SELECT FROM ${source}` : `INSERT INTO ${from} (${list}) SELECT ${list} FROM ${source}`;
  return mutation(insert, ref, query, representation, params);
}

/** Update rows matching the filters with the values of one JSON object. */
export function updateRows(table: string, columns: readonly string[], values: Record<string, unknown>, query: QueryParams, representation: boolean): Statement {
  const params = new Parameters();
  const { from, ref } = tableRef(table);
  const assignments = columns.map((name) => `${quoteIdent(name)} = _pgrst_body.${quoteIdent(name)}`).join(', ');
  const body = `(SELECT * FROM json_populate_record(NULL::${from}, ${params.add(JSON.stringify(values))}::json)) _pgrst_body`;
  const update = `UPDATE ${from} SET ${assignments} FROM ${body}${whereSql(query.filters, ref, params)}`;
  return mutation(update, ref, query, representation, params);
}

export function deleteRows(table: string, query: QueryParams, representation: boolean): Statement {
  const params = new Parameters();
  const { from, ref } = tableRef(table);
  return mutation(`DELETE FROM ${from}${whereSql(query.filters, ref, params)}`, ref, query, representation, params);
}

function mutation(command: string, ref: string, query: QueryParams, representation: boolean, params: Parameters): Statement {
  // Without a representation nothing is read back, so no SELECT privilege or policy is needed (as PostgREST).
  if (!representation) {
    return {
      text: `WITH _pgrst_mutation AS (${command} RETURNING 1) SELECT '[]' AS body, NULL AS first_row, count(*)::int8 AS page_count, count(*)::int8 AS total FROM _pgrst_mutation`,
      values: params.values,
    };
  }
  const rows = `SELECT ${selectSql(query.select, ref)} FROM _pgrst_mutation AS ${ref}`;
  return {
    text: `WITH _pgrst_mutation AS (${command} RETURNING ${ref}.*) ${rowsSelect(rows, '(SELECT count(*) FROM _pgrst_mutation)::int8')}`,
    values: params.values,
  };
}

/** A function argument as a bind parameter cast to the argument's declared type. */
function argumentValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'json' || type === 'jsonb') return JSON.stringify(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function callSql(fn: FunctionInfo, args: Record<string, unknown>, params: Parameters): string {
  const list = fn.args
    .filter((arg) => Object.hasOwn(args, arg.name))
    // The type text comes from pg_catalog's format_type, never from the request.
    .map((arg) => `${quoteIdent(arg.name)} := ${params.add(argumentValue(arg.type, args[arg.name]))}::${arg.type}`);
  return `"public".${quoteIdent(fn.name)}(${list.join(', ')})`;
}

export type RpcStatement = Statement & { readonly shape: 'void' | 'value' | 'rows' };

export function callFunction(fn: FunctionInfo, args: Record<string, unknown>, query: QueryParams, count: boolean): RpcStatement {
  const params = new Parameters();
  const call = callSql(fn, args, params);
  if (fn.returns === 'void') return { text: `SELECT ${call}`, values: params.values, shape: 'void' };
  if (fn.returns === 'scalar' && !fn.returnsSet) {
    return { text: `SELECT to_json(${call})::text AS body`, values: params.values, shape: 'value' };
  }
  if (fn.returns === 'scalar') {
    return {
      text: `SELECT coalesce(json_agg(_pgrst_v), '[]')::text AS body, NULL AS first_row, count(*)::int8 AS page_count, NULL::int8 AS total FROM ${call} AS _pgrst_v`,
      values: params.values,
      shape: 'rows',
    };
  }
  const ref = quoteIdent(fn.name);
  const source: Source = { with: `WITH _pgrst_source AS MATERIALIZED (SELECT * FROM ${call}) `, from: `_pgrst_source AS ${ref}`, ref };
  return { text: readFrom(source, query, count, params), values: params.values, shape: 'rows' };
}
