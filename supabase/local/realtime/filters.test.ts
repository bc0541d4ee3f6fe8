import { describe, expect, it } from 'vitest';
import { describeFilters, parseFilter, passesFilters, type CompiledFilter } from './filters.ts';
import { comparableKey, scalarKind } from './pg-text.ts';

describe('parseFilter', () => {
  it('parses conditions joined by commas, in-lists and quoted values', () => {
    expect(parseFilter('status=in.(completed,"a,b"),priority=gte.2')).toEqual({
      ok: true,
      filters: [
        { column: 'status', op: 'in', values: ['completed', 'a,b'] },
        { column: 'priority', op: 'gte', values: ['2'] },
      ],
    });
    expect(parseFilter('name=eq."x \\"y\\""')).toEqual({ ok: true, filters: [{ column: 'name', op: 'eq', values: ['x "y"'] }] });
    expect(parseFilter('  ')).toEqual({ ok: true, filters: [] });
    expect(parseFilter(undefined)).toEqual({ ok: true, filters: [] });
  });

  it("fails with Realtime's messages", () => {
    expect(parseFilter('id=foo.hey')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["foo", "hey"]' });
    expect(parseFilter('undefined')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["undefined"]' });
    expect(parseFilter('id=eq.1,,id=eq.2')).toEqual({
      ok: false,
      message: 'Error parsing `filter` params: filter must not contain empty segments (check for extra commas)',
    });
    expect(parseFilter('status=in.a,b')).toEqual({ ok: false, message: 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses' });
  });

  it('describes filters as Realtime prints them', () => {
    const parsed = parseFilter('subject=eq.hey,status=in.(a,b)');
    expect(parsed.ok && describeFilters(parsed.filters)).toBe('[{"subject", "eq", "hey", false}, {"status", "in", "{a,b}", false}]');
  });
});

describe('passesFilters', () => {
  const int4 = scalarKind('int4');
  const compiled = (column: string, op: CompiledFilter['op'], values: string[], kind = int4): CompiledFilter => ({
    column,
    op,
    kind,
    keys: values.map((v) => comparableKey(v, kind)),
  });

  it('compares in the column type and ANDs all conditions', () => {
    const filters = [compiled('n', 'gt', ['9']), compiled('n', 'lte', ['20'])];
    expect(passesFilters(filters, { n: '10' })).toBe(true);
    expect(passesFilters(filters, { n: '9' })).toBe(false);
    expect(passesFilters(filters, { n: '21' })).toBe(false);
    expect(passesFilters([compiled('n', 'neq', ['3'])], { n: '3' })).toBe(false);
    expect(passesFilters([compiled('n', 'in', ['1', '2'])], { n: '2' })).toBe(true);
    expect(passesFilters([compiled('s', 'lt', ['b'], scalarKind('text'))], { s: 'a' })).toBe(true);
  });

  it('never passes a NULL or missing value', () => {
    expect(passesFilters([compiled('n', 'neq', ['3'])], { n: null })).toBe(false);
    expect(passesFilters([compiled('n', 'neq', ['3'])], {})).toBe(false);
  });
});
