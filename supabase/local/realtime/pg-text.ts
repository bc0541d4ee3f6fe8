/**
 * Turns PostgreSQL's text output (what pgoutput sends) into the JSON values
 * Supabase Realtime puts in `record` / `old_record`. The real server casts with
 * `to_jsonb(value::type)`, so numbers become JSON numbers, json/jsonb are
 * parsed, timestamptz becomes ISO 8601 with a `+00:00` offset, and anything
 * `to_jsonb` would print as text stays a string.
 */

/** How a column's values are converted; derived from the (base) type's name. */
export type ValueKind =
  | { kind: 'bool' }
  | { kind: 'number' }
  | { kind: 'json' }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp' }
  | { kind: 'bytea' }
  | { kind: 'text' }
  | { kind: 'array'; element: ValueKind };

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);

/** Kind for a scalar base type name (arrays and domains are resolved by the type catalog). */
export function scalarKind(typname: string): ValueKind {
  if (typname === 'bool') return { kind: 'bool' };
  if (NUMERIC_TYPES.has(typname)) return { kind: 'number' };
  if (typname === 'json' || typname === 'jsonb') return { kind: 'json' };
  if (typname === 'timestamptz') return { kind: 'timestamptz' };
  if (typname === 'timestamp') return { kind: 'timestamp' };
  if (typname === 'bytea') return { kind: 'bytea' };
  return { kind: 'text' };
}

export function toJsonValue(text: string | null, kind: ValueKind): unknown {
  if (text === null) return null;
  switch (kind.kind) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'number':
      return toJsonNumber(text);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    case 'timestamptz':
      return formatTimestamptz(text);
    case 'timestamp':
      return text.replace(' ', 'T');
    case 'bytea':
      return text.startsWith('\\x') ? text.slice(2) : text;
    case 'array':
      return convertArray(parseArrayLiteral(text), kind.element);
    case 'text':
      return text;
  }
}

/** to_jsonb keeps NaN and ±Infinity as strings: they are not JSON numbers. */
function toJsonNumber(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

type ArrayItem = string | null | ArrayItem[];

function convertArray(items: ArrayItem[], element: ValueKind): unknown[] {
  return items.map((item) => (Array.isArray(item) ? convertArray(item, element) : toJsonValue(item, element)));
}

/**
 * Parses PostgreSQL's array output (`{1,2}`, `{"a b",NULL}`, `{{1,2},{3,4}}`,
 * optionally prefixed by explicit bounds `[0:1]=`).
 */
export function parseArrayLiteral(text: string): ArrayItem[] {
  let pos = 0;
  const source = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text;

  function parseList(): ArrayItem[] {
    if (source[pos] !== '{') throw new Error(`malformed array literal: ${text}`);
    pos += 1;
    const items: ArrayItem[] = [];
    if (source[pos] === '}') {
      pos += 1;
      return items;
    }
    for (;;) {
      items.push(parseItem());
      const ch = source[pos];
      pos += 1;
      if (ch === '}') return items;
      if (ch !== ',') throw new Error(`malformed array literal: ${text}`);
    }
  }

  function parseItem(): ArrayItem {
    const ch = source[pos];
    if (ch === '{') return parseList();
    if (ch === '"') {
      pos += 1;
      let out = '';
      while (pos < source.length && source[pos] !== '"') {
        if (source[pos] === '\\') pos += 1;
        out += source[pos] ?? '';
        pos += 1;
      }
      pos += 1;
      return out;
    }
    const start = pos;
    while (pos < source.length && source[pos] !== ',' && source[pos] !== '}') pos += 1;
    const raw = source.slice(start, pos).trim();
    return raw === 'NULL' ? null : raw;
  }

  return parseList();
}

const TIMESTAMPTZ =
  /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|Z)?$/;

/**
 * `2025-11-03 10:32:55.123456+01` → `2025-11-03T09:32:55.123456+00:00`
 * (UTC, fraction kept as PostgreSQL printed it). `infinity`, BC dates and
 * anything unexpected pass through unchanged.
 */
export function formatTimestamptz(text: string): string {
  const m = TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh = '0', om = '0', os = '0'] = m;
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  const utc = new Date(0);
  utc.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // not Date.UTC: it maps years < 100 to 19xx
  utc.setUTCHours(Number(h), Number(mi), Number(s) - offsetSeconds, 0);
  const iso = utc.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

/**
 * A key that orders values of one type the way PostgreSQL does for the filter
 * operators we support: numbers and instants numerically, everything else by
 * its canonical text (dates, timestamps, uuids and booleans sort correctly so).
 */
export function comparableKey(text: string, kind: ValueKind): number | string {
  // boolout prints t/f while a cast to text prints true/false.
  if (kind.kind === 'bool') return text === 't' || text === 'true' ? 'true' : text === 'f' || text === 'false' ? 'false' : text;
  if (kind.kind === 'number') {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  if (kind.kind === 'timestamptz') {
    const m = TIMESTAMPTZ.exec(text);
    if (!m) return text;
    const iso = formatTimestamptz(text);
    const micros = Number(((m[7] ?? '') + '000000').slice(1, 7));
    return Date.parse(iso.slice(0, 19) + 'Z') * 1000 + micros;
  }
  return text;
}
