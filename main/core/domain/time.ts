/**
 * Timestamps as Postgres writes them. Every comparison of two database times in
 * the core goes through here, so none of them loses the microseconds.
 */

/**
 * Microseconds since the epoch of a Postgres/ISO timestamp, keeping the
 * microseconds Postgres writes (Date.parse would drop them and make two
 * updates in the same millisecond look simultaneous). NaN when unparseable.
 */
export function timestampMicros(iso: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(iso.trim());
  if (!match) return Number.NaN;
  const [, base = '', fraction = '', zone] = match;
  const normalizedZone = !zone ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.toUpperCase();
  const millis = Date.parse(`${base.replace(' ', 'T')}${normalizedZone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  if (Number.isNaN(millis)) return Number.NaN;
  return millis * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** Orders two timestamps (microsecond precision), a missing one before every other: > 0 when `a` is later. */
export function compareTimestamps(a: string | null, b: string | null): number {
  const ta = a === null ? Number.NEGATIVE_INFINITY : timestampMicros(a);
  const tb = b === null ? Number.NEGATIVE_INFINITY : timestampMicros(b);
  return ta === tb ? 0 : ta > tb ? 1 : -1;
}
