import { describe, expect, it } from 'vitest';
import { backoffWindow, CHANNEL_BACKOFF, fullJitter, isRateLimitMessage, isSlowDownStatus, parseRetryAfter, POLL_ERROR_BACKOFF, RECONNECT_BACKOFF, RetryAfterTracker } from './backoff.ts';

describe('full-jitter back-off', () => {
  it('windows double from the base to the cap; delays stay within [floor, window]', () => {
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffWindow(POLL_ERROR_BACKOFF, a))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    for (const policy of [RECONNECT_BACKOFF, CHANNEL_BACKOFF, POLL_ERROR_BACKOFF]) {
      for (let attempt = 0; attempt < 40; attempt += 1) {
        for (const r of [0, 0.25, 0.5, 0.999, 1]) {
          const delay = fullJitter(policy, attempt, () => r);
          expect(delay).toBeGreaterThanOrEqual(policy.floorMs);
          expect(delay).toBeLessThanOrEqual(backoffWindow(policy, attempt));
        }
      }
    }
  });

  it('spreads a fleet: 1000 clients retrying at once land uniformly over the window, not in one wave', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 1000; i += 1) {
      const delay = fullJitter(RECONNECT_BACKOFF, 0, random);
      buckets[Math.min(9, Math.floor(((delay - RECONNECT_BACKOFF.floorMs) / (RECONNECT_BACKOFF.baseMs - RECONNECT_BACKOFF.floorMs)) * 10))] += 1;
    }
    expect(Math.max(...buckets)).toBeLessThan(150); // ≤ 15 % in any tenth of the window
  });
});

describe('slow-down answers', () => {
  it('recognises Realtime rate-limit and "too many" errors', () => {
    for (const text of [
      'ClientJoinRateLimitReached: Too many joins per second',
      'ChannelRateLimitReached: Too many channels',
      'Too many connected users',
      'Too many messages per second',
      'too_many_joins',
      'tenant_events',
      'Realtime is restarting, please standby',
    ]) expect(isRateLimitMessage(text), text).toBe(true);
    for (const text of ['Token has expired 3 seconds ago', 'socket closed: 1006', '', null, undefined]) expect(isRateLimitMessage(text)).toBe(false);
  });

  it('REST 429 and 503 mean slow down; Retry-After in seconds or as a date, capped at 10 min', () => {
    expect([429, 503].every(isSlowDownStatus)).toBe(true);
    expect([200, 400, 401, 500, 502].some(isSlowDownStatus)).toBe(false);
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(new Date(now + 12_000).toUTCString(), now)).toBe(12_000);
    expect(parseRetryAfter('999999', now)).toBe(600_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('the fetch wrapper remembers the last Retry-After until taken', async () => {
    let now = 1_000;
    const tracker = new RetryAfterTracker(() => now);
    const fetch429 = (async () => new Response('slow down', { status: 429, headers: { 'retry-after': '9' } })) as typeof fetch;
    const wrapped = tracker.wrap(fetch429);
    expect((await wrapped('http://127.0.0.1/rest/v1/rpc/x')).status).toBe(429);
    now += 4_000;
    expect(tracker.take()).toBe(5_000);
    expect(tracker.take()).toBe(0);
  });
});
