/**
 * Local quiet hours: a daily window in the user's local time, e.g. 22:00 to
 * 07:00 (crossing midnight). The start minute is inside, the end minute is
 * not; start === end means no window at all.
 *
 * What quiet hours do is the announcer's business (announcer.ts): transitions that
 * happen inside the window are muted (recorded in the ledger, kept unseen in
 * the tray) and nothing is replayed when the window ends.
 */
import { z } from 'zod';

export interface QuietHours {
  /** `HH:MM`, 24-hour, local time. */
  readonly start: string;
  readonly end: string;
}

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00 to 23:59)');
export const quietHoursSchema = z.object({ start: clockTime, end: clockTime });

function minutesOfClockTime(hhmm: string): number {
  const [hours = '0', minutes = '0'] = hhmm.split(':');
  return Number(hours) * 60 + Number(minutes);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Minutes since local midnight at `at`. `timeZone` (IANA) is for tests and for
 * an explicitly configured zone; without it the process's local zone is used.
 */
export function localMinutesOfDay(at: number, timeZone?: string): number {
  if (!timeZone) {
    const date = new Date(at);
    return date.getHours() * 60 + date.getMinutes();
  }
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  let hours = 0;
  let minutes = 0;
  for (const part of formatter.formatToParts(at)) {
    if (part.type === 'hour') hours = Number(part.value);
    else if (part.type === 'minute') minutes = Number(part.value);
  }
  return hours * 60 + minutes;
}

export function isWithinQuietHours(quietHours: QuietHours | null | undefined, at: number, timeZone?: string): boolean {
  if (!quietHours) return false;
  const start = minutesOfClockTime(quietHours.start);
  const end = minutesOfClockTime(quietHours.end);
  if (start === end) return false;
  const now = localMinutesOfDay(at, timeZone);
  return start < end ? now >= start && now < end : now >= start || now < end;
}
