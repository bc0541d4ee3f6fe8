/**
 * `postgres_changes` filter strings (`contact_id=eq.<uuid>`, `status=in.(a,b)`,
 * `title=not.ilike.%draft%`; several conditions joined by commas meaning AND):
 * parsing with Realtime's error messages, and evaluation against a row's text
 * values. Equality-like operators are decided here, on values canonicalised by
 * PostgreSQL; ordering and pattern operators depend on the column type's
 * ordering and collation, so they are handed to PostgreSQL (filter-sql.ts),
 * which compares exactly as Realtime's `check_equality_op` does: both sides
 * cast to the column's type.
 */
import { comparableKey, type ValueKind } from './pg-text.ts';

/** Every operator realtime-js 2.119's filter builder can send (each may be negated with `not.`). */
const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Operators PostgreSQL evaluates (per batch), with their SQL operator. */
export const SQL_OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=', like: 'like', ilike: 'ilike', match: '~', imatch: '~*' } as const;
export type SqlFilterOp = keyof typeof SQL_OPERATORS;
/** Of those, the ones whose right-hand side is a pattern (text), not a value of the column type. */
export const PATTERN_OPS: ReadonlySet<FilterOp> = new Set(['like', 'ilike', 'match', 'imatch']);

export const IS_VALUES = ['null', 'true', 'false', 'unknown'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export interface ParsedFilter {
  readonly column: string;
  readonly op: FilterOp;
  /** `not.` prefix: the condition's result is negated. */
  readonly negate: boolean;
  /** For `in`, the list items; otherwise one value. */
  readonly values: readonly string[];
}

export type FilterParseResult = { ok: true; filters: ParsedFilter[] } | { ok: false; message: string };

const PREFIX = 'Error parsing `filter` params: ';

export function parseFilter(filter: string | null | undefined): FilterParseResult {
  if (filter === null || filter === undefined || filter.trim() === '') return { ok: true, filters: [] };
  const segments = splitTopLevel(filter);
  if (segments.some((segment) => segment.trim() === '')) {
    return { ok: false, message: `${PREFIX}filter must not contain empty segments (check for extra commas)` };
  }
  const filters: ParsedFilter[] = [];
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq < 0) return { ok: false, message: PREFIX + inspectList([segment]) };
    const column = segment.slice(0, eq).trim();
    let parts = splitOnce(segment.slice(eq + 1));
    let negate = false;
    if (parts[0] === 'not' && parts[1] !== undefined) {
      negate = true;
      parts = splitOnce(parts[1]);
    }
    const [op, value] = parts;
    if (value === undefined || !isFilterOp(op)) return { ok: false, message: PREFIX + inspectList(parts) };
    if (op === 'in') {
      const trimmed = value.trim();
      if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) {
        return { ok: false, message: `${PREFIX}\`in\` filter value must be wrapped by parentheses` };
      }
      const inner = trimmed.slice(1, -1);
      const values = inner.trim() === '' ? [] : splitTopLevel(inner).map((item) => unquote(item.trim()));
      filters.push({ column, op, negate, values });
    } else {
      filters.push({ column, op, negate, values: [unquote(value)] });
    }
  }
  return { ok: true, filters };
}

function splitOnce(text: string): [string] | [string, string] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

function isFilterOp(op: string | undefined): op is FilterOp {
  return (FILTER_OPS as readonly string[]).includes(op ?? '');
}

/** Splits on commas outside parentheses and double quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (quoted && ch === '\\') {
      current += ch + (text[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth += 1;
    else if (!quoted && ch === ')') depth -= 1;
    if (ch === ',' && depth === 0 && !quoted) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

/** PostgREST quoting: `"a,b"` → `a,b`, backslash escapes the next character. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

function inspectString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function inspectList(values: readonly string[]): string {
  return `[${values.map(inspectString).join(', ')}]`;
}

/** The value as Realtime stores it: `in` lists become a PostgreSQL array literal. */
function filterValueText(filter: ParsedFilter): string {
  if (filter.op !== 'in') return filter.values[0] ?? '';
  return `{${filter.values.map((v) => (/[,{}"\\\s]|^$|^NULL$/i.test(v) ? inspectString(v) : v)).join(',')}}`;
}

/** `[{"col", "eq", "value", false}]`, as Realtime prints filters in its error messages (last: negated). */
export function describeFilters(filters: readonly ParsedFilter[]): string {
  return `[${filters
    .map((f) => `{${inspectString(f.column)}, ${inspectString(f.op)}, ${inspectString(filterValueText(f))}, ${f.negate}}`)
    .join(', ')}]`;
}

/** A filter ready to evaluate: values canonicalised by PostgreSQL for the column's type. */
export type CompiledFilter =
  | {
      readonly column: string;
      readonly op: 'eq' | 'neq' | 'in' | 'isdistinct';
      readonly negate: boolean;
      readonly kind: ValueKind;
      /** Equality keys of the canonical values (see equalityKey). */
      readonly keys: readonly string[];
    }
  | { readonly column: string; readonly op: 'is'; readonly negate: boolean; readonly kind: ValueKind; readonly value: IsValue }
  | {
      readonly column: string;
      readonly op: SqlFilterOp;
      readonly negate: boolean;
      /** The column's type as SQL (format_type), which both sides are cast to. */
      readonly typeSql: string;
      /** The canonical value, or the pattern for like/ilike/match/imatch. */
      readonly target: string;
    };

/** One condition left for PostgreSQL: `value <op> target` in the column's type. */
export interface SqlCheck {
  readonly typeSql: string;
  readonly op: SqlFilterOp;
  readonly negate: boolean;
  readonly value: string;
  readonly target: string;
}

/**
 * AND of all filters over the row's text values: false when a condition
 * decided here fails, otherwise the conditions PostgreSQL still has to decide
 * (none = passes). NULL (or an unchanged TOAST value that was not sent) fails
 * every comparison, negated or not; `is` and `isdistinct` handle NULL as SQL does.
 */
export function evaluateFilters(filters: readonly CompiledFilter[], row: Readonly<Record<string, string | null | undefined>>): false | SqlCheck[] {
  const deferred: SqlCheck[] = [];
  for (const filter of filters) {
    const raw = row[filter.column];
    if (raw === undefined) return false;
    switch (filter.op) {
      case 'is':
        if (isTest(filter.value, raw === null ? null : comparableKey(raw, filter.kind)) === filter.negate) return false;
        break;
      case 'isdistinct': {
        const distinct = raw === null || !filter.keys.includes(equalityKey(raw, filter.kind));
        if (distinct === filter.negate) return false;
        break;
      }
      case 'eq':
      case 'neq':
      case 'in': {
        if (raw === null) return false;
        const found = filter.keys.includes(equalityKey(raw, filter.kind));
        if ((filter.op === 'neq' ? !found : found) === filter.negate) return false;
        break;
      }
      default:
        if (raw === null) return false;
        deferred.push({ typeSql: filter.typeSql, op: filter.op, negate: filter.negate, value: raw, target: filter.target });
    }
  }
  return deferred;
}

function isTest(value: IsValue, key: string | number | null): boolean {
  switch (value) {
    case 'null':
    case 'unknown':
      return key === null;
    case 'true':
      return key === 'true';
    case 'false':
      return key === 'false';
  }
}

const DECIMAL = /^(-?)0*(\d*?)(?:\.(\d*?)0*)?$/;

/**
 * A key equal for two canonical texts of one type exactly when PostgreSQL's `=`
 * holds. Canonical text (the type's output function) already is such a key,
 * except that numeric keeps its scale (`1.0` = `1.00`) and floats print `-0`;
 * booleans and instants go through comparableKey.
 */
export function equalityKey(text: string, kind: ValueKind): string {
  if (kind.kind === 'number') {
    const m = DECIMAL.exec(text);
    if (!m) return text; // NaN, Infinity, exponent notation: canonical already
    const [, sign = '', int = '', fraction = ''] = m;
    const digits = `${int === '' ? '0' : int}${fraction === '' ? '' : `.${fraction}`}`;
    return digits === '0' ? '0' : `${sign}${digits}`;
  }
  return String(comparableKey(text, kind));
}
