import { describe, expect, it } from 'vitest';
import { ONE_HOUR_MS, pauseUntil, tomorrowAt } from './pause.ts';

describe('pause choices', () => {
  const now = Date.UTC(2026, 10, 21, 21, 30); // Saturday 21:30 UTC

  it('one hour from now, and resume clears the pause', () => {
    expect(pauseUntil('one-hour', now)).toBe(now + ONE_HOUR_MS);
    expect(pauseUntil('resume', now)).toBeNull();
  });

  it('"until tomorrow" ends at 08:00 local time on the next calendar day', () => {
    expect(new Date(pauseUntil('until-tomorrow', now, 'UTC')!).toISOString()).toBe('2026-11-22T08:00:00.000Z');
    // 21:30 UTC is already 06:30 on the 22nd in Tokyo: tomorrow there is the 23rd.
    expect(new Date(tomorrowAt(now, 8, 'Asia/Tokyo')).toISOString()).toBe('2026-11-22T23:00:00.000Z');
    // 21:30 UTC is 16:30 on the 21st in New York (UTC-5 in November).
    expect(new Date(tomorrowAt(now, 8, 'America/New_York')).toISOString()).toBe('2026-11-22T13:00:00.000Z');
  });

  it('lands on 08:00 across a daylight-saving change', () => {
    // Europe/Berlin switches to summer time in the night to 2026-03-29.
    const saturdayEvening = Date.UTC(2026, 2, 28, 20, 0);
    expect(new Date(tomorrowAt(saturdayEvening, 8, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T06:00:00.000Z');
  });
});
