/**
 * Times as the tray shows them, with Intl (the user's locale, no date library):
 * elapsed durations ("3 min", "1 hr 5 min"), clock times ("14:05") and
 * relative times ("5 minutes ago").
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const unitFormats = new Map<string, Intl.NumberFormat>();
function unit(value: number, name: 'minute' | 'hour' | 'day', locale?: string): string {
  const key = `${locale ?? ''}|${name}`;
  let format = unitFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: name === 'day' ? 'long' : 'short' });
    unitFormats.set(key, format);
  }
  return format.format(value);
}

/** Epoch ms of an ISO timestamp, or null when it is missing or unreadable. */
export function epochOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** How long something has been going: "<1 min", "3 min", "1 hr 5 min", "2 days". */
export function formatElapsed(fromMs: number, nowMs: number, locale?: string): string {
  const elapsed = Math.max(0, nowMs - fromMs);
  if (elapsed < MINUTE) return `<${unit(1, 'minute', locale)}`;
  if (elapsed < HOUR) return unit(Math.floor(elapsed / MINUTE), 'minute', locale);
  if (elapsed < DAY) {
    const hours = Math.floor(elapsed / HOUR);
    const minutes = Math.floor((elapsed % HOUR) / MINUTE);
    return minutes === 0 ? unit(hours, 'hour', locale) : `${unit(hours, 'hour', locale)} ${unit(minutes, 'minute', locale)}`;
  }
  return unit(Math.floor(elapsed / DAY), 'day', locale);
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();
/** A 24-hour clock time, "HH:MM", in local time. */
export function formatClock(ms: number, locale?: string): string {
  const key = locale ?? '';
  let format = clockFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clockFormats.set(key, format);
  }
  return format.format(ms);
}

/** True when `ms` falls on the local calendar day after `nowMs`'s. */
export function isTomorrow(ms: number, nowMs: number): boolean {
  const tomorrow = new Date(nowMs);
  tomorrow.setDate(tomorrow.getDate() + 1);
  const day = new Date(ms);
  return day.getFullYear() === tomorrow.getFullYear() && day.getMonth() === tomorrow.getMonth() && day.getDate() === tomorrow.getDate();
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
/** "now", "5 minutes ago", "3 hours ago", "yesterday". */
export function formatAgo(ms: number, nowMs: number, locale?: string): string {
  const key = locale ?? '';
  let format = relativeFormats.get(key);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(key, format);
  }
  const elapsed = Math.max(0, nowMs - ms);
  if (elapsed < MINUTE) return format.format(0, 'second');
  if (elapsed < HOUR) return format.format(-Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return format.format(-Math.floor(elapsed / HOUR), 'hour');
  return format.format(-Math.floor(elapsed / DAY), 'day');
}
