import { describe, expect, it } from 'vitest';
import { comparableKey, formatTimestamptz, parseArrayLiteral, scalarKind, toJsonValue, type ValueKind } from './pg-text.ts';

const kind = (typname: string): ValueKind => scalarKind(typname);
const arrayOf = (typname: string): ValueKind => ({ kind: 'array', element: scalarKind(typname) });

describe('toJsonValue (what to_jsonb would produce)', () => {
  it('types scalars', () => {
    expect(toJsonValue('t', kind('bool'))).toBe(true);
    expect(toJsonValue('f', kind('bool'))).toBe(false);
    expect(toJsonValue('42', kind('int4'))).toBe(42);
    expect(toJsonValue('-7', kind('int8'))).toBe(-7);
    expect(toJsonValue('12.50', kind('numeric'))).toBe(12.5);
    expect(toJsonValue('1e+30', kind('float8'))).toBe(1e30);
    expect(toJsonValue('NaN', kind('numeric'))).toBe('NaN');
    expect(toJsonValue('Infinity', kind('float8'))).toBe('Infinity');
    expect(toJsonValue('{"a":[1,null]}', kind('jsonb'))).toEqual({ a: [1, null] });
    expect(toJsonValue('"text"', kind('json'))).toBe('text');
    expect(toJsonValue('\\x0102ff', kind('bytea'))).toBe('0102ff');
    expect(toJsonValue('2026-01-02 03:04:05.5', kind('timestamp'))).toBe('2026-01-02T03:04:05.5');
    expect(toJsonValue('a0000000-0000-4000-8000-000000000001', kind('uuid'))).toBe('a0000000-0000-4000-8000-000000000001');
    expect(toJsonValue('2026-01-02', kind('date'))).toBe('2026-01-02');
    expect(toJsonValue(null, kind('int4'))).toBeNull();
  });

  it('writes timestamptz in UTC with a +00:00 offset, keeping the fraction', () => {
    expect(formatTimestamptz('2025-11-03 09:32:55+00')).toBe('2025-11-03T09:32:55+00:00');
    expect(formatTimestamptz('2025-11-03 10:32:55.123456+01')).toBe('2025-11-03T09:32:55.123456+00:00');
    expect(formatTimestamptz('2025-01-01 00:15:00-05:30')).toBe('2025-01-01T05:45:00+00:00');
    expect(formatTimestamptz('infinity')).toBe('infinity');
  });

  it('parses arrays, including quoted items, NULL and nesting', () => {
    expect(parseArrayLiteral('{}')).toEqual([]);
    expect(parseArrayLiteral('{a,"b c","d,\\"e\\"",NULL}')).toEqual(['a', 'b c', 'd,"e"', null]);
    expect(parseArrayLiteral('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArrayLiteral('[0:1]={5,6}')).toEqual(['5', '6']);
    expect(toJsonValue('{1,2,NULL}', arrayOf('int4'))).toEqual([1, 2, null]);
    expect(toJsonValue('{t,f}', arrayOf('bool'))).toEqual([true, false]);
    expect(toJsonValue('{"{\\"x\\": 1}"}', arrayOf('jsonb'))).toEqual([{ x: 1 }]);
  });
});

describe('comparableKey', () => {
  it('orders numbers numerically and instants by time whatever their offset', () => {
    expect(comparableKey('10', kind('int4'))).toBe(10);
    expect(comparableKey('10', kind('int4')) > comparableKey('9', kind('int4'))).toBe(true);
    const a = comparableKey('2025-01-01 10:00:00+01', kind('timestamptz'));
    const b = comparableKey('2025-01-01 09:00:00.000001+00', kind('timestamptz'));
    expect(b > a).toBe(true);
    expect(comparableKey('2025-01-01 09:00:00+00', kind('timestamptz'))).toBe(a);
  });

  it('treats t/true and f/false alike for booleans', () => {
    expect(comparableKey('t', kind('bool'))).toBe(comparableKey('true', kind('bool')));
    expect(comparableKey('f', kind('bool'))).not.toBe(comparableKey('t', kind('bool')));
  });
});
