import { describe, expect, it } from 'vitest';
import { describeFilters, equalityKey, evaluateFilters, parseFilter, type CompiledFilter } from './filters.ts';
import { scalarKind } from './pg-text.ts';

describe('parseFilter', () => {
  it('parses conditions joined by commas, in-lists and quoted values', () => {
    expect(parseFilter('status=in.(completed,"a,b"),priority=gte.2')).toEqual({
      ok: true,
      filters: [
        { column: 'status', op: 'in', negate: false, values: ['completed', 'a,b'] },
        { column: 'priority', op: 'gte', negate: false, values: ['2'] },
      ],
    });
    expect(parseFilter('name=eq."x \\"y\\""')).toEqual({ ok: true, filters: [{ column: 'name', op: 'eq', negate: false, values: ['x "y"'] }] });
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

describe('parseFilter: the operators realtime-js 2.119 can send', () => {
  it('reads like, ilike, match, imatch, is, isdistinct and not. negation', () => {
    const parsed = parseFilter('title=like.%a.b%,title=ilike.*X*,title=match.^a\\d,title=imatch.^A,done=is.null,n=isdistinct.3,status=not.in.(a,b),n=not.eq.1');
    expect(parsed).toEqual({
      ok: true,
      filters: [
        { column: 'title', op: 'like', negate: false, values: ['%a.b%'] },
        { column: 'title', op: 'ilike', negate: false, values: ['*X*'] },
        { column: 'title', op: 'match', negate: false, values: ['^a\\d'] },
        { column: 'title', op: 'imatch', negate: false, values: ['^A'] },
        { column: 'done', op: 'is', negate: false, values: ['null'] },
        { column: 'n', op: 'isdistinct', negate: false, values: ['3'] },
        { column: 'status', op: 'in', negate: true, values: ['a', 'b'] },
        { column: 'n', op: 'eq', negate: true, values: ['1'] },
      ],
    });
    expect(parsed.ok && describeFilters(parsed.filters.slice(6))).toBe('[{"status", "in", "{a,b}", true}, {"n", "eq", "1", true}]');
  });

  it('refuses operators Realtime does not evaluate', () => {
    expect(parseFilter('tags=cs.{a}')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["cs", "{a}"]' });
    expect(parseFilter('body=fts.cat')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["fts", "cat"]' });
    expect(parseFilter('n=not.cs.{1}')).toEqual({ ok: false, message: 'Error parsing `filter` params: ["cs", "{1}"]' });
  });
});

describe('evaluateFilters', () => {
  const int4 = scalarKind('int4');
  const numeric = scalarKind('numeric');
  const bool = scalarKind('bool');
  const eqLike = (column: string, op: 'eq' | 'neq' | 'in' | 'isdistinct', values: string[], kind = int4, negate = false): CompiledFilter => ({
    column,
    op,
    negate,
    kind,
    keys: values.map((v) => equalityKey(v, kind)),
  });

  it('decides equality-like operators here, in the column type, and ANDs all conditions', () => {
    expect(evaluateFilters([eqLike('n', 'eq', ['10']), eqLike('m', 'neq', ['3'])], { n: '10', m: '4' })).toEqual([]);
    expect(evaluateFilters([eqLike('n', 'eq', ['10']), eqLike('m', 'neq', ['3'])], { n: '10', m: '3' })).toBe(false);
    expect(evaluateFilters([eqLike('n', 'in', ['1', '2'])], { n: '2' })).toEqual([]);
    expect(evaluateFilters([eqLike('n', 'in', ['1', '2'], int4, true)], { n: '2' })).toBe(false);
    expect(evaluateFilters([eqLike('n', 'eq', ['1'], int4, true)], { n: '2' })).toEqual([]);
    // numeric keeps its scale in text; = does not
    expect(evaluateFilters([eqLike('x', 'eq', ['1.0'], numeric)], { x: '1.000' })).toEqual([]);
    expect(evaluateFilters([eqLike('b', 'eq', ['true'], bool)], { b: 't' })).toEqual([]);
  });

  it('lets NULL fail every comparison, negated or not, but not is / isdistinct', () => {
    expect(evaluateFilters([eqLike('n', 'neq', ['3'])], { n: null })).toBe(false);
    expect(evaluateFilters([eqLike('n', 'eq', ['3'], int4, true)], { n: null })).toBe(false);
    expect(evaluateFilters([eqLike('n', 'neq', ['3'])], {})).toBe(false);
    expect(evaluateFilters([eqLike('n', 'isdistinct', ['3'])], { n: null })).toEqual([]);
    expect(evaluateFilters([eqLike('n', 'isdistinct', ['3'])], { n: '3' })).toBe(false);
    expect(evaluateFilters([eqLike('n', 'isdistinct', ['3'], int4, true)], { n: '3' })).toEqual([]);
    const isNull = (negate: boolean): CompiledFilter => ({ column: 'd', op: 'is', negate, kind: int4, value: 'null' });
    expect(evaluateFilters([isNull(false)], { d: null })).toEqual([]);
    expect(evaluateFilters([isNull(false)], { d: '1' })).toBe(false);
    expect(evaluateFilters([isNull(true)], { d: '1' })).toEqual([]);
    const isTrue: CompiledFilter = { column: 'b', op: 'is', negate: false, kind: bool, value: 'true' };
    expect(evaluateFilters([isTrue], { b: 't' })).toEqual([]);
    expect(evaluateFilters([isTrue], { b: null })).toBe(false);
  });

  it('hands ordering and pattern conditions to PostgreSQL, after the cheap ones passed', () => {
    const lt: CompiledFilter = { column: 's', op: 'lt', negate: false, typeSql: 'text', target: 'b' };
    expect(evaluateFilters([lt, eqLike('n', 'eq', ['1'])], { s: 'a', n: '1' })).toEqual([{ typeSql: 'text', op: 'lt', negate: false, value: 'a', target: 'b' }]);
    expect(evaluateFilters([lt, eqLike('n', 'eq', ['1'])], { s: 'a', n: '2' })).toBe(false);
    expect(evaluateFilters([lt], { s: null })).toBe(false);
  });
});

describe('equalityKey', () => {
  it('normalises numeric scale and signed zero, and keeps big integers exact', () => {
    const numeric = scalarKind('numeric');
    expect(equalityKey('1.500', numeric)).toBe(equalityKey('1.5', numeric));
    expect(equalityKey('-0.0', numeric)).toBe('0');
    expect(equalityKey('9007199254740993', scalarKind('int8'))).not.toBe(equalityKey('9007199254740992', scalarKind('int8')));
    expect(equalityKey('10', numeric)).not.toBe(equalityKey('1', numeric));
  });
});
