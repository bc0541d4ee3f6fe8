/**
 * `postgres_changes` filter strings (`contact_id=eq.<uuid>`, `status=in.(a,b)`,
 * several conditions joined by commas meaning AND): parsing with Realtime's
 * error messages, and evaluation against a row's text values.
 */
import { comparableKey, type ValueKind } from './pg-text.ts';

export const FILTER_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface ParsedFilter {
  readonly column: string;
  readonly op: FilterOp;
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
    const rest = segment.slice(eq + 1);
    const dot = rest.indexOf('.');
    const parts = dot < 0 ? [rest] : [rest.slice(0, dot), rest.slice(dot + 1)];
    const [op, value] = parts;
    if (value === undefined || !isFilterOp(op)) return { ok: false, message: PREFIX + inspectList(parts) };
    if (op === 'in') {
      const trimmed = value.trim();
      if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) {
        return { ok: false, message: `${PREFIX}\`in\` filter value must be wrapped by parentheses` };
      }
      const inner = trimmed.slice(1, -1);
      const values = inner.trim() === '' ? [] : splitTopLevel(inner).map((item) => unquote(item.trim()));
      filters.push({ column, op, values });
    } else {
      filters.push({ column, op, values: [unquote(value)] });
    }
  }
  return { ok: true, filters };
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
export function filterValueText(filter: ParsedFilter): string {
  if (filter.op !== 'in') return filter.values[0] ?? '';
  return `{${filter.values.map((v) => (/[,{}"\\\s]|^$|^NULL$/i.test(v) ? inspectString(v) : v)).join(',')}}`;
}

/** `[{"col", "eq", "value", false}]`, as Realtime prints filters in its error messages. */
export function describeFilters(filters: readonly ParsedFilter[]): string {
  return `[${filters
    .map((f) => `{${inspectString(f.column)}, ${inspectString(f.op)}, ${inspectString(filterValueText(f))}, false}`)
    .join(', ')}]`;
}

/** A filter ready to evaluate: values canonicalised by PostgreSQL for the column's type. */
export interface CompiledFilter {
  readonly column: string;
  readonly op: FilterOp;
  readonly kind: ValueKind;
  readonly keys: readonly (number | string)[];
}

/** AND of all filters; a NULL or absent column value never passes. */
export function passesFilters(filters: readonly CompiledFilter[], row: Readonly<Record<string, string | null | undefined>>): boolean {
  for (const filter of filters) {
    const raw = row[filter.column];
    if (raw === null || raw === undefined) return false;
    const key = comparableKey(raw, filter.kind);
    if (!compare(filter, key)) return false;
  }
  return true;
}

function compare(filter: CompiledFilter, key: number | string): boolean {
  const target = filter.keys[0];
  switch (filter.op) {
    case 'in':
      return filter.keys.includes(key);
    case 'eq':
      return key === target;
    case 'neq':
      return key !== target;
    case 'lt':
      return target !== undefined && key < target;
    case 'lte':
      return target !== undefined && key <= target;
    case 'gt':
      return target !== undefined && key > target;
    case 'gte':
      return target !== undefined && key >= target;
  }
}
