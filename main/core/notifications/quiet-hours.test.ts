import { describe, expect, it } from 'vitest';
import { isWithinQuietHours, localMinutesOfDay, quietHoursSchema, type QuietHours } from './quiet-hours.ts';

const utc = (hhmm: string): number => Date.parse(`2026-11-21T${hhmm}:00Z`);
const night: QuietHours = { start: '22:00', end: '07:00' };
const lunch: QuietHours = { start: '12:00', end: '13:30' };

describe('isWithinQuietHours', () => {
  it.each<[QuietHours | null, string, boolean]>([
    [night, '21:59', false],
    [night, '22:00', true],
    [night, '23:59', true],
    [night, '00:00', true],
    [night, '03:00', true],
    [night, '06:59', true],
    [night, '07:00', false],
    [night, '12:00', false],
    [lunch, '11:59', false],
    [lunch, '12:00', true],
    [lunch, '13:29', true],
    [lunch, '13:30', false],
    [{ start: '09:00', end: '09:00' }, '09:00', false],
    [null, '23:00', false],
  ])('%j at %s → %s', (quiet, time, expected) => {
    expect(isWithinQuietHours(quiet, utc(time), 'UTC')).toBe(expected);
  });

  it('uses local time of the given zone, not UTC', () => {
    // 21:30 UTC is 22:30 in Paris (UTC+1 in November).
    expect(localMinutesOfDay(utc('21:30'), 'Europe/Paris')).toBe(22 * 60 + 30);
    expect(isWithinQuietHours(night, utc('21:30'), 'Europe/Paris')).toBe(true);
    expect(isWithinQuietHours(night, utc('21:30'), 'UTC')).toBe(false);
  });
});

describe('quietHoursSchema', () => {
  it.each([
    [{ start: '22:00', end: '07:00' }, true],
    [{ start: '00:00', end: '23:59' }, true],
    [{ start: '24:00', end: '07:00' }, false],
    [{ start: '7:00', end: '08:00' }, false],
    [{ start: '22:00' }, false],
    ['22:00-07:00', false],
  ])('%j valid: %s', (value, valid) => {
    expect(quietHoursSchema.safeParse(value).success).toBe(valid);
  });
});
