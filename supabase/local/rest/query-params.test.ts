import { describe, expect, it } from 'vitest';
import { PostgrestError } from './errors.ts';
import { parseQueryParams } from './query-params.ts';

const parse = (query: string) => parseQueryParams(new URLSearchParams(query));

function errorOf(query: string): PostgrestError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof PostgrestError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be refused`);
}

describe('PostgREST query parameters', () => {
  it('reads select lists with aliases and quoted names', () => {
    expect(parse('select=id,label:title,"odd, name"').select).toEqual([
      { kind: 'column', column: 'id', alias: undefined },
      { kind: 'column', column: 'title', alias: 'label' },
      { kind: 'column', column: 'odd, name', alias: undefined },
    ]);
    expect(parse('').select).toEqual([{ kind: 'star' }]);
  });

  it('reads the filters supabase-js sends, values taken literally', () => {
    const { filters } = parse('status=eq.completed&title=neq.a.b&n=gte.3&id=in.(1,"2,3",4)&archived_at=is.NULL&x=not.in.()');
    expect(filters).toEqual([
      { column: 'status', negate: false, op: 'eq', value: 'completed' },
      { column: 'title', negate: false, op: 'neq', value: 'a.b' },
      { column: 'n', negate: false, op: 'gte', value: '3' },
      { column: 'id', negate: false, op: 'in', values: ['1', '2,3', '4'] },
      { column: 'archived_at', negate: false, op: 'is', value: 'null' },
      { column: 'x', negate: true, op: 'in', values: [] },
    ]);
  });

  it('reads order, limit and offset', () => {
    const query = parse('order=updated_at.desc.nullslast,id&limit=10&offset=20');
    expect(query.order).toEqual([
      { column: 'updated_at', direction: 'desc', nulls: 'last' },
      { column: 'id', direction: undefined, nulls: undefined },
    ]);
    expect([query.limit, query.offset]).toEqual([10, 20]);
  });

  it('refuses malformed input with PGRST100', () => {
    for (const bad of ['status=completed', 'status=eqq.x', 'id=in.1,2', 'x=is.maybe', 'order=id.sideways', 'limit=ten', 'select=', 'select=a;drop']) {
      const error = errorOf(bad);
      expect(error.status, bad).toBe(400);
      expect(error.body.code, bad).toBe('PGRST100');
    }
    expect(errorOf('status=eqq.x').body.details).toBe('unknown single value operator eqq');
  });

  it('refuses, by name, what PostgREST has but the local stack does not implement', () => {
    const cases: Array<[string, RegExp]> = [
      ['select=*,contacts(full_name)', /embedded resources/],
      ['title=like.*x*', /"like" filter operator/],
      ['or=(a.eq.1,b.eq.2)', /logical filter trees/],
      ['contacts.full_name=eq.x', /embedded resources/],
      ['select=data->a', /JSON paths and casts/],
      ['on_conflict=id', /upserts/],
    ];
    for (const [query, message] of cases) {
      const error = errorOf(query);
      expect(error.status, query).toBe(400);
      expect(`${error.body.message} ${error.body.details ?? ''}`, query).toMatch(message);
    }
  });

  it('answers a negative limit with 416, as PostgREST', () => {
    expect(errorOf('limit=-1').status).toBe(416);
  });
});
