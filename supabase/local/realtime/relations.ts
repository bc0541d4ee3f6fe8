/**
 * What the change pipeline needs to know about a replicated table beyond
 * pgoutput's relation message: type names, the primary key (pgoutput marks
 * replica-identity columns, which under REPLICA IDENTITY FULL is every
 * column) and whether RLS is enabled.
 */
import type pg from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import type { ColumnType, TypeCatalog } from './type-catalog.ts';

export interface RelationColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface RelationInfo {
  readonly relid: number;
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly RelationColumn[];
  readonly columnsByName: ReadonlyMap<string, RelationColumn>;
  readonly primaryKey: readonly string[];
  readonly rlsEnabled: boolean;
  readonly replicaIdentityFull: boolean;
}

const TABLE_SQL = `
  select c.relrowsecurity as rls,
         coalesce((select array_agg(a.attname::text order by k.ord)
                     from pg_index i
                     cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
                     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                    where i.indrelid = c.oid and i.indisprimary), '{}') as pk
    from pg_class c where c.oid = $1`;

export class RelationCatalog {
  private readonly pool: pg.Pool;
  private readonly types: TypeCatalog;
  // A new relation message (schema change) is a new object, so caching by identity refreshes itself.
  private readonly cache = new WeakMap<Pgoutput.MessageRelation, Promise<RelationInfo>>();

  constructor(pool: pg.Pool, types: TypeCatalog) {
    this.pool = pool;
    this.types = types;
  }

  forMessage(relation: Pgoutput.MessageRelation): Promise<RelationInfo> {
    let info = this.cache.get(relation);
    if (!info) {
      info = this.load(relation);
      info.catch(() => this.cache.delete(relation));
      this.cache.set(relation, info);
    }
    return info;
  }

  private async load(relation: Pgoutput.MessageRelation): Promise<RelationInfo> {
    const [types, table] = await Promise.all([
      this.types.resolve(relation.columns.map((c) => c.typeOid)),
      this.pool.query<{ rls: boolean; pk: string[] }>(TABLE_SQL, [relation.relationOid]),
    ]);
    const columns = relation.columns.map((c) => ({
      name: c.name,
      type: types.get(c.typeOid) ?? { typname: String(c.typeOid), kind: { kind: 'text' as const } },
    }));
    const row = table.rows[0];
    return {
      relid: relation.relationOid,
      schema: relation.schema,
      table: relation.name,
      columns,
      columnsByName: new Map(columns.map((c) => [c.name, c])),
      primaryKey: row?.pk ?? [],
      rlsEnabled: row?.rls ?? false,
      replicaIdentityFull: relation.replicaIdentity === 'full',
    };
  }
}
