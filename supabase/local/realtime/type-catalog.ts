/**
 * Type names and value kinds for column type OIDs, read from pg_type once per
 * OID. pgoutput only names non-built-in types, and Realtime's `columns` list
 * carries `typname` for every column, so we look them all up here.
 */
import type pg from 'pg';
import { scalarKind, type ValueKind } from './pg-text.ts';

interface TypeRow {
  oid: number;
  typname: string;
  typtype: string;
  isArray: boolean;
  typelem: number;
  typbasetype: number;
}

export interface ColumnType {
  /** pg_type.typname of the column's own type (a domain keeps its name). */
  readonly typname: string;
  readonly kind: ValueKind;
}

const LOOKUP_SQL = `
  select t.oid::int as oid, t.typname, t.typtype, t.typelem::int as typelem, t.typbasetype::int as typbasetype,
         (t.typsubscript = 'array_subscript_handler'::regproc) as "isArray"
    from pg_type t where t.oid = any($1::oid[])`;

export class TypeCatalog {
  private readonly pool: pg.Pool;
  private readonly rows = new Map<number, TypeRow>();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async resolve(oids: readonly number[]): Promise<Map<number, ColumnType>> {
    let missing = [...new Set(oids)].filter((oid) => !this.rows.has(oid));
    // Arrays and domains refer to further types; a few rounds reach every base type.
    while (missing.length > 0) {
      const result = await this.pool.query<TypeRow>(LOOKUP_SQL, [missing]);
      for (const row of result.rows) this.rows.set(row.oid, row);
      for (const oid of missing) if (!this.rows.has(oid)) this.rows.set(oid, unknownType(oid));
      missing = result.rows
        .flatMap((row) => [row.isArray ? row.typelem : 0, row.typtype === 'd' ? row.typbasetype : 0])
        .filter((oid) => oid !== 0 && !this.rows.has(oid));
    }
    const out = new Map<number, ColumnType>();
    for (const oid of oids) {
      const row = this.rows.get(oid) ?? unknownType(oid);
      out.set(oid, { typname: row.typname, kind: this.kindOf(row, 0) });
    }
    return out;
  }

  private kindOf(row: TypeRow, depth: number): ValueKind {
    if (depth > 8) return { kind: 'text' };
    if (row.typtype === 'd') {
      const base = this.rows.get(row.typbasetype);
      return base ? this.kindOf(base, depth + 1) : { kind: 'text' };
    }
    if (row.isArray) {
      const element = this.rows.get(row.typelem);
      return { kind: 'array', element: element ? this.kindOf(element, depth + 1) : { kind: 'text' } };
    }
    return row.typtype === 'b' ? scalarKind(row.typname) : { kind: 'text' };
  }
}

function unknownType(oid: number): TypeRow {
  return { oid, typname: String(oid), typtype: 'b', isArray: false, typelem: 0, typbasetype: 0 };
}
