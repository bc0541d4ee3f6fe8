/**
 * The subset of PostgREST's query string that Beacon uses, parsed strictly:
 * `select`, filters (`eq neq gt gte lt lte in is`, optionally `not.`), `order`,
 * `limit`, `offset`, `columns`. Everything else PostgREST knows is refused with
 * a PGRST100 error that names it, so nothing is ever silently ignored.
 */
import { invalidRange, queryParamError, unsupported } from './errors.ts';
import { parseFieldName, readFieldName } from './identifiers.ts';

export type SelectItem = { kind: 'star' } | { kind: 'column'; column: string; alias: string | undefined };

export type ComparisonOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';
export type Filter =
  | { column: string; negate: boolean; op: ComparisonOperator; value: string }
  | { column: string; negate: boolean; op: 'in'; values: string[] }
  | { column: string; negate: boolean; op: 'is'; value: 'null' | 'true' | 'false' | 'unknown' };

export interface OrderTerm {
  readonly column: string;
  readonly direction: 'asc' | 'desc' | undefined;
  readonly nulls: 'first' | 'last' | undefined;
}

export interface QueryParams {
  readonly select: SelectItem[];
  readonly filters: Filter[];
  readonly order: OrderTerm[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  /** The `columns` parameter of inserts, if given. */
  readonly columns: string[] | undefined;
}

const COMPARISONS: readonly ComparisonOperator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const KNOWN_UNSUPPORTED_OPERATORS = new Set([
  'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj',
  'fts', 'plfts', 'phfts', 'wfts', 'isdistinct',
]);

/** Splits on commas that are outside double quotes and parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (quoted && char === '\\' && i + 1 < text.length) {
      current += char + (text[i + 1] as string);
      i += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth -= 1;
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function parseSelect(text: string): SelectItem[] {
  const context = `select parameter (${text})`;
  if (text.trim() === '') throw queryParamError(`failed to parse ${context}`, 'expecting field name (* or [a..z0..9_$])');
  return splitTopLevel(text).map((raw): SelectItem => {
    const item = raw.trim();
    if (item === '*') return { kind: 'star' };
    if (item.includes('(')) {
      throw unsupported(`embedded resources, spreads and aggregates in select (${JSON.stringify(item)}); select this table's own columns and query the related table separately`);
    }
    const first = readFieldName(item, context);
    if (first.rest.startsWith(':') && !first.rest.startsWith('::')) {
      return { kind: 'column', alias: first.name, column: parseFieldName(first.rest.slice(1), context) };
    }
    return { kind: 'column', alias: undefined, column: parseFieldName(item, context) };
  });
}

function parseOrder(text: string): OrderTerm[] {
  const context = `order (${text})`;
  return splitTopLevel(text).map((raw): OrderTerm => {
    const term = raw.trim();
    if (term.includes('(')) throw unsupported(`ordering by a related table (${JSON.stringify(term)})`);
    const { name, rest } = readFieldName(term, context);
    if (rest.startsWith('->')) throw unsupported(`ordering by a JSON path (${JSON.stringify(term)})`);
    const modifiers = rest === '' ? [] : rest.split('.');
    if (modifiers.length > 0 && modifiers.shift() !== '') {
      throw queryParamError(`failed to parse ${context}`, `unexpected ${JSON.stringify(rest)}; expecting delimiter (.)`);
    }
    let direction: OrderTerm['direction'];
    let nulls: OrderTerm['nulls'];
    for (const [index, modifier] of modifiers.entries()) {
      if (index === 0 && (modifier === 'asc' || modifier === 'desc')) direction = modifier;
      else if (nulls === undefined && modifier === 'nullsfirst') nulls = 'first';
      else if (nulls === undefined && modifier === 'nullslast') nulls = 'last';
      else throw queryParamError(`failed to parse ${context}`, `unexpected ${JSON.stringify(modifier)}; expecting "asc", "desc", "nullsfirst" or "nullslast"`);
    }
    return { column: name, direction, nulls };
  });
}

/** `(a,"b,c",d)`: quoted elements take backslash escapes; `()` is the empty list. */
function parseList(text: string, context: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) {
    throw queryParamError(`failed to parse ${context}`, 'expecting a parenthesized list, e.g. in.(1,2,3)');
  }
  const inner = trimmed.slice(1, -1);
  if (inner === '') return [];
  const values: string[] = [];
  let i = 0;
  while (i <= inner.length) {
    if (inner[i] === '"') {
      let value = '';
      i += 1;
      while (i < inner.length && inner[i] !== '"') {
        if (inner[i] === '\\' && i + 1 < inner.length) i += 1;
        value += inner[i];
        i += 1;
      }
      if (i >= inner.length) throw queryParamError(`failed to parse ${context}`, 'unterminated quoted value');
      i += 1;
      if (i < inner.length && inner[i] !== ',') throw queryParamError(`failed to parse ${context}`, `unexpected ${JSON.stringify(inner[i])} after quoted value`);
      values.push(value);
    } else {
      const end = inner.indexOf(',', i);
      const stop = end === -1 ? inner.length : end;
      const value = inner.slice(i, stop);
      if (value.includes(')') || value.includes('(')) throw queryParamError(`failed to parse ${context}`, `unexpected parenthesis in ${JSON.stringify(value)}`);
      values.push(value);
      i = stop;
    }
    i += 1; // skip the comma
  }
  return values;
}

export function parseFilter(key: string, value: string): Filter {
  const context = `filter (${value})`;
  if (key.includes('.')) throw unsupported(`filters on embedded resources (${JSON.stringify(key)})`);
  const column = parseFieldName(key, `filter key (${key})`);
  let expression = value;
  let negate = false;
  if (expression.startsWith('not.')) {
    negate = true;
    expression = expression.slice(4);
  }
  const dot = expression.indexOf('.');
  const operator = dot === -1 ? expression : expression.slice(0, dot);
  const operand = dot === -1 ? undefined : expression.slice(dot + 1);
  if (operand === undefined) {
    throw queryParamError(`failed to parse ${context}`, `expecting operator (eq, gt, ...) and delimiter (.), e.g. ${key}=eq.value`);
  }
  if ((COMPARISONS as readonly string[]).includes(operator)) {
    return { column, negate, op: operator as ComparisonOperator, value: operand };
  }
  if (operator === 'in') return { column, negate, op: 'in', values: parseList(operand, context) };
  if (operator === 'is') {
    const trilean = operand.toLowerCase();
    if (trilean === 'null' || trilean === 'true' || trilean === 'false' || trilean === 'unknown') {
      return { column, negate, op: 'is', value: trilean };
    }
    throw queryParamError(`failed to parse ${context}`, 'expecting null or trilean value (unknown, true, false)');
  }
  const bareOperator = operator.replace(/\(.*$/, '');
  if (KNOWN_UNSUPPORTED_OPERATORS.has(bareOperator)) throw unsupported(`the "${bareOperator}" filter operator (${key}=${value})`);
  throw queryParamError(`failed to parse ${context}`, `unknown single value operator ${operator}`);
}

function parseCount(name: 'limit' | 'offset', text: string): number {
  if (/^-\d+$/.test(text)) {
    throw invalidRange(name === 'limit' ? 'Limit should be greater than or equal to zero.' : 'Offset should be greater than or equal to zero.');
  }
  if (!/^\d+$/.test(text)) throw queryParamError(`failed to parse ${name} (${text})`, `${name} must be a non-negative integer`);
  const parsed = Number(text);
  if (!Number.isSafeInteger(parsed)) throw queryParamError(`failed to parse ${name} (${text})`, `${name} is too large`);
  return parsed;
}

function parseColumns(text: string): string[] {
  return splitTopLevel(text).map((raw) => parseFieldName(raw, `columns parameter (${text})`));
}

export function parseQueryParams(query: URLSearchParams): QueryParams {
  let select: SelectItem[] = [{ kind: 'star' }];
  let order: OrderTerm[] = [];
  let limit: number | undefined;
  let offset: number | undefined;
  let columns: string[] | undefined;
  const filters: Filter[] = [];
  const seen = new Set<string>();
  for (const [key, value] of query) {
    if (key === 'and' || key === 'or' || key === 'not.and' || key === 'not.or') {
      throw unsupported(`logical filter trees (${key}=${value}); combine simple filters instead`);
    }
    const last = key.split('.').at(-1) ?? key;
    if (key !== last && ['order', 'limit', 'offset', 'and', 'or', 'select'].includes(last)) {
      throw unsupported(`parameters for embedded resources (${JSON.stringify(key)})`);
    }
    if (['select', 'order', 'limit', 'offset', 'columns'].includes(key)) {
      if (seen.has(key)) throw queryParamError(`failed to parse ${key}`, `the ${key} parameter was given more than once`);
      seen.add(key);
    }
    switch (key) {
      case 'select':
        select = parseSelect(value);
        break;
      case 'order':
        order = value === '' ? [] : parseOrder(value);
        break;
      case 'limit':
        limit = parseCount('limit', value);
        break;
      case 'offset':
        offset = parseCount('offset', value);
        break;
      case 'columns':
        columns = parseColumns(value);
        break;
      case 'on_conflict':
        throw unsupported('upserts (on_conflict)');
      default:
        filters.push(parseFilter(key, value));
    }
  }
  return { select, filters, order, limit, offset, columns };
}
