/**
 * What PostgREST calls its schema cache: the tables, views and functions of
 * schema `public`, read from the catalog. Every identifier in a request is
 * checked against it before any SQL is built. Reloaded when a name is missing,
 * so tables created after start are found.
 */
import type { Pool } from 'pg';

export interface TableInfo {
  readonly name: string;
  /** Column name → SQL type, in table order. */
  readonly columns: ReadonlyMap<string, string>;
}

export interface FunctionArgument {
  readonly name: string;
  readonly type: string;
  readonly hasDefault: boolean;
}

export interface FunctionInfo {
  readonly name: string;
  /** Input arguments in declaration order. */
  readonly args: readonly FunctionArgument[];
  readonly returnsSet: boolean;
  /** `void`, a single value, or rows with named columns. */
  readonly returns: 'void' | 'scalar' | 'composite';
}

interface Snapshot {
  readonly tables: ReadonlyMap<string, TableInfo>;
  readonly functions: ReadonlyMap<string, readonly FunctionInfo[]>;
}

const TABLES_SQL = `
  select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as column_type
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'f', 'p')
  order by c.relname, a.attnum`;

const FUNCTIONS_SQL = `
  select p.proname as name,
         p.proretset as returns_set,
         p.prorettype = 'void'::regtype as returns_void,
         (t.typtype = 'c' or (p.prorettype = 'record'::regtype and coalesce(p.proargmodes::text[] && array['o', 't'], false))) as returns_composite,
         p.pronargdefaults as default_count,
         coalesce(p.proargnames, '{}') as arg_names,
         coalesce(p.proargmodes::text[], '{}') as arg_modes,
         array(select format_type(u.type_oid, null)
               from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as u(type_oid, position)
               order by u.position) as arg_types
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_type t on t.oid = p.prorettype
  where n.nspname = 'public' and p.prokind = 'f'`;

interface FunctionRow {
  name: string;
  returns_set: boolean;
  returns_void: boolean;
  returns_composite: boolean;
  default_count: number;
  arg_names: string[];
  arg_modes: string[];
  arg_types: string[];
}

function toFunctionInfo(row: FunctionRow): FunctionInfo {
  const inputs: { name: string; type: string }[] = [];
  row.arg_types.forEach((type, index) => {
    const mode = row.arg_modes[index] ?? 'i';
    if (mode === 'i' || mode === 'b' || mode === 'v') inputs.push({ name: row.arg_names[index] ?? '', type });
  });
  const firstDefault = inputs.length - row.default_count;
  return {
    name: row.name,
    args: inputs.map((arg, index) => ({ ...arg, hasDefault: index >= firstDefault })),
    returnsSet: row.returns_set,
    returns: row.returns_void ? 'void' : row.returns_composite ? 'composite' : 'scalar',
  };
}

export class SchemaCache {
  private readonly pool: Pool;
  private snapshot: Promise<Snapshot> | undefined;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  reload(): void {
    this.snapshot = undefined;
  }

  async table(name: string): Promise<TableInfo | undefined> {
    return (await this.lookup((snapshot) => snapshot.tables.get(name))) ?? undefined;
  }

  async functions(name: string): Promise<readonly FunctionInfo[]> {
    return (await this.lookup((snapshot) => snapshot.functions.get(name))) ?? [];
  }

  /** Looks in the current snapshot; on a miss, once more in a fresh one. */
  private async lookup<T>(pick: (snapshot: Snapshot) => T | undefined): Promise<T | undefined> {
    const found = pick(await this.current());
    if (found !== undefined) return found;
    this.reload();
    return pick(await this.current());
  }

  private current(): Promise<Snapshot> {
    if (this.snapshot === undefined) {
      const loading = this.load();
      this.snapshot = loading;
      loading.catch(() => {
        if (this.snapshot === loading) this.snapshot = undefined;
      });
    }
    return this.snapshot;
  }

  private async load(): Promise<Snapshot> {
    const [tableRows, functionRows] = await Promise.all([
      this.pool.query<{ table_name: string; column_name: string | null; column_type: string | null }>(TABLES_SQL),
      this.pool.query<FunctionRow>(FUNCTIONS_SQL),
    ]);
    const columns = new Map<string, Map<string, string>>();
    for (const row of tableRows.rows) {
      const table = columns.get(row.table_name) ?? new Map<string, string>();
      if (row.column_name !== null && row.column_type !== null) table.set(row.column_name, row.column_type);
      columns.set(row.table_name, table);
    }
    const tables = new Map([...columns].map(([name, cols]) => [name, { name, columns: cols }] as const));
    const functions = new Map<string, FunctionInfo[]>();
    for (const row of functionRows.rows) {
      const list = functions.get(row.name) ?? [];
      list.push(toFunctionInfo(row));
      functions.set(row.name, list);
    }
    return { tables, functions };
  }
}
