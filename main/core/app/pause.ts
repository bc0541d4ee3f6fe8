/**
 * "Pause notifications" choices from the tray menu and the settings view, as
 * the epoch ms the pause ends (null = not paused). "Until tomorrow" ends at
 * 08:00 local time the next day: the start of a working day, not midnight.
 */
import type { PauseChoice } from '../ipc/contract.ts';

export const ONE_HOUR_MS = 60 * 60 * 1000;
const TOMORROW_HOUR = 8;

export function pauseUntil(choice: PauseChoice, now: number, timeZone?: string): number | null {
  switch (choice) {
    case 'resume':
      return null;
    case 'one-hour':
      return now + ONE_HOUR_MS;
    case 'until-tomorrow':
      return tomorrowAt(now, TOMORROW_HOUR, timeZone);
  }
}

/** Epoch ms of `hour`:00 on the calendar day after `now`, in `timeZone` (default: the process's zone). */
export function tomorrowAt(now: number, hour: number, timeZone?: string): number {
  if (!timeZone) {
    const date = new Date(now);
    date.setDate(date.getDate() + 1);
    date.setHours(hour, 0, 0, 0);
    return date.getTime();
  }
  // Wall-clock fields of `now` in the zone, then search the UTC instant whose wall clock is tomorrow at `hour`.
  const parts = wallClock(now, timeZone);
  const target = Date.UTC(parts.year, parts.month - 1, parts.day + 1, hour, 0, 0);
  let guess = target - offsetMs(target, timeZone);
  guess = target - offsetMs(guess, timeZone); // second pass settles DST edges
  return guess;
}

function wallClock(at: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const get = (type: string) => Number(formatter.formatToParts(new Date(at)).find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The zone's offset from UTC at `at` (ms; positive east of Greenwich). */
function offsetMs(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return asUtc - Math.floor(at / 60_000) * 60_000;
}
