/**
 * The filter conditions PostgreSQL decides (ordering and pattern operators),
 * for a whole batch of changes at once: one query per (type, operator)
 * combination, however many changes and subscribers. Both sides are cast to
 * the column's type (patterns stay text), so the result is PostgreSQL's own:
 * its collation for text, its ordering for every other type.
 */
import type pg from 'pg';
import { PATTERN_OPS, SQL_OPERATORS, type SqlCheck } from './filters.ts';

interface Group {
  readonly sql: string;
  readonly values: string[];
  readonly targets: string[];
  readonly indexes: number[];
}

export class FilterCheckBatch {
  private readonly groups = new Map<string, Group & { readonly label: string }>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Registers a check; its index is what `run`'s result holds when it passes. */
  add(check: SqlCheck): number {
    const key = `${check.typeSql}\u0000${check.op}\u0000${check.negate}`;
    let group = this.groups.get(key);
    if (!group) {
      const label = `${check.negate ? 'not.' : ''}${check.op} on ${check.typeSql}`;
      this.groups.set(key, (group = { label, sql: groupSql(check), values: [], targets: [], indexes: [] }));
    }
    const index = this.count;
    this.count += 1;
    group.values.push(check.value);
    group.targets.push(check.target);
    group.indexes.push(index);
    return index;
  }

  /** The indexes of the checks that pass. A group PostgreSQL cannot evaluate fails (reported via onError). */
  async run(pool: pg.Pool, onError: (error: unknown) => void): Promise<Set<number>> {
    const passing = new Set<number>();
    await Promise.all(
      [...this.groups.values()].map(async (group) => {
        try {
          const { rows } = await pool.query<{ i: number }>(group.sql, [group.values, group.targets]);
          for (const row of rows) {
            const index = group.indexes[row.i - 1];
            if (index !== undefined) passing.add(index);
          }
        } catch (error) {
          onError(new Error(`filter ${group.label} could not be evaluated; those subscribers miss these changes: ${String(error)}`));
        }
      }),
    );
    return passing;
  }
}

/** `typeSql` comes from format_type() over the catalog, never from the client. */
function groupSql(check: SqlCheck): string {
  const left = `(u.v::${check.typeSql})`;
  const right = PATTERN_OPS.has(check.op) ? 'u.t' : `(u.t::${check.typeSql})`;
  const condition = `${left} ${SQL_OPERATORS[check.op]} ${right}`;
  return `select u.i::int as i from unnest($1::text[], $2::text[]) with ordinality as u(v, t, i) where ${check.negate ? `not (${condition})` : condition}`;
}
