import { describe, expect, it } from 'vitest';
import { epochOf, formatAgo, formatClock, formatElapsed, isTomorrow } from './time.ts';

const MIN = 60_000;
const at = Date.parse('2025-03-14T12:00:00.000Z');

describe('time formats', () => {
  it('formats elapsed time in minutes, hours and days', () => {
    expect(formatElapsed(at, at + 20_000, 'en')).toBe('<1 min');
    expect(formatElapsed(at, at + 3 * MIN + 59_000, 'en')).toBe('3 min');
    expect(formatElapsed(at, at + 60 * MIN, 'en')).toBe('1 hr');
    expect(formatElapsed(at, at + 65 * MIN, 'en')).toBe('1 hr 5 min');
    expect(formatElapsed(at, at + 49 * 60 * MIN, 'en')).toBe('2 days');
    // A clock slightly behind the server never shows a negative time.
    expect(formatElapsed(at + MIN, at, 'en')).toBe('<1 min');
  });

  it('formats clock times as 24-hour HH:MM', () => {
    const local = new Date(2025, 2, 14, 9, 5).getTime();
    expect(formatClock(local, 'en-US')).toBe('09:05');
    expect(formatClock(new Date(2025, 2, 14, 21, 30).getTime(), 'en-US')).toBe('21:30');
  });

  it('formats relative times', () => {
    expect(formatAgo(at, at + 10_000, 'en')).toBe('now');
    expect(formatAgo(at, at + 5 * MIN, 'en')).toBe('5 minutes ago');
    expect(formatAgo(at, at + 3 * 60 * MIN, 'en')).toBe('3 hours ago');
    expect(formatAgo(at, at + 24 * 60 * MIN, 'en')).toBe('yesterday');
  });

  it('tells whether a time falls tomorrow (local calendar)', () => {
    const now = new Date(2025, 2, 14, 23, 0).getTime();
    expect(isTomorrow(new Date(2025, 2, 15, 8, 0).getTime(), now)).toBe(true);
    expect(isTomorrow(new Date(2025, 2, 14, 23, 30).getTime(), now)).toBe(false);
  });

  it('reads ISO timestamps, and gives null for missing or unreadable ones', () => {
    expect(epochOf('2025-03-14T12:00:00.123456+00:00')).toBe(Date.parse('2025-03-14T12:00:00.123Z'));
    expect(epochOf(null)).toBeNull();
    expect(epochOf('not a time')).toBeNull();
  });
});
