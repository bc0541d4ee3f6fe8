import { describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from '../../../test/fakes/fake-clock.ts';
import { PollingScheduler } from './polling.ts';
import { createPrng, seedFromEnv } from '../../../test/integration/prng.ts';

function setup(options: { random?: () => number; run?: () => Promise<unknown> } = {}) {
  const clock = new FakeClock(0);
  const runs: number[] = [];
  const poller = new PollingScheduler({
    clock,
    intervalMs: 5_000,
    jitterMs: 1_000,
    random: options.random ?? (() => 0.5),
    run:
      options.run ??
      (async () => {
        runs.push(clock.now());
      }),
  });
  return { clock, runs, poller };
}

describe('PollingScheduler', () => {
  it('runs at once, then every interval', async () => {
    const { clock, runs, poller } = setup();
    poller.start('now');
    await clock.advance(16_000);
    expect(runs).toEqual([0, 5_000, 10_000, 15_000]);
  });

  it('can wait one interval before the first run', async () => {
    const { clock, runs, poller } = setup();
    poller.start('after-interval');
    await clock.advance(4_999);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(runs).toEqual([5_000]);
  });

  it('spreads runs over interval ± jitter', async () => {
    const values = [0, 0.999, 0.25];
    const { clock, runs, poller } = setup({ random: () => values.shift() ?? 0.5 });
    poller.start('after-interval');
    await clock.advance(20_000);
    // 4000, then +5998 (=9998), then +4500 (=14498), then +5000
    expect(runs.slice(0, 4)).toEqual([4_000, 9_998, 14_498, 19_498]);
  });

  const seed = seedFromEnv();
  it(`every delay stays within interval ± jitter (seed ${seed}; replay: BEACON_FAULT_SEED=${seed})`, () => {
    const { poller } = setup({ random: createPrng(seed).next });
    for (let i = 0; i < 1_000; i += 1) {
      const delay = poller.nextDelay();
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(6_000);
    }
  });

  it('stops: nothing pending, nothing runs', async () => {
    const { clock, runs, poller } = setup();
    poller.start('now');
    await clock.advance(5_000);
    poller.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(runs).toEqual([0, 5_000]);
    expect(poller.running).toBe(false);
  });

  it('never overlaps a slow run and counts the interval from its end', async () => {
    const clock = new FakeClock(0);
    const started: number[] = [];
    let active = 0;
    let maxActive = 0;
    const poller = new PollingScheduler({
      clock,
      intervalMs: 5_000,
      jitterMs: 0,
      run: () => {
        started.push(clock.now());
        active += 1;
        maxActive = Math.max(maxActive, active);
        return new Promise<void>((resolve) =>
          clock.setTimeout(() => {
            active -= 1;
            resolve();
          }, 7_000),
        );
      },
    });
    poller.start('now');
    await clock.advance(30_000);
    expect(maxActive).toBe(1);
    expect(started).toEqual([0, 12_000, 24_000]);
  });

  it('keeps polling after a failing run', async () => {
    const { clock, poller } = setup({
      run: async () => {
        throw new Error('offline');
      },
    });
    poller.start('now');
    await clock.advance(10_000);
    expect(poller.running).toBe(true);
    expect(clock.pendingTimers).toBe(1);
  });

  it('start while running is a no-op; stop then start during a run resumes after it', async () => {
    const clock = new FakeClock(0);
    const started: number[] = [];
    let finish: (() => void) | undefined;
    const poller = new PollingScheduler({
      clock,
      intervalMs: 5_000,
      jitterMs: 0,
      run: () => {
        started.push(clock.now());
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    poller.start('now');
    await clock.advance(0);
    poller.start('now');
    poller.stop();
    poller.start('now');
    finish?.();
    await flushPromises();
    await clock.advance(5_000);
    expect(started).toEqual([0, 5_000]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a jitter as large as the interval', () => {
    expect(() => new PollingScheduler({ clock: new FakeClock(0), intervalMs: 1_000, jitterMs: 1_000, run: async () => {} })).toThrow(/jitter/);
  });
});

describe('PollingScheduler back-off', () => {
  it('backs off with full jitter (5 s → 60 s) while polls fail, honours Retry-After, and returns to the interval on an answer', async () => {
    const clock = new FakeClock(0);
    const runs: number[] = [];
    let outcome: { kind: 'answered' } | { kind: 'failed'; retryAfterMs?: number } = { kind: 'failed' };
    const poller = new PollingScheduler({
      clock,
      intervalMs: 5_000,
      jitterMs: 1_000,
      random: () => 1,
      run: async () => {
        runs.push(clock.now());
        return outcome;
      },
    });
    poller.start('now');
    await clock.advance(200_000);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    // random 1: the whole window each time: 5, 10, 20, 40, 60, 60 s.
    expect(gaps.slice(0, 6)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    outcome = { kind: 'failed', retryAfterMs: 90_000 };
    const mark = runs.length;
    await clock.advance(200_000);
    expect(runs[mark + 1]! - runs[mark]!).toBe(90_000);
    outcome = { kind: 'answered' };
    await clock.advance(200_000);
    const last = runs.slice(-3);
    expect(last[2]! - last[1]!).toBe(6_000); // interval + jitter (random 1)
    expect(poller.scheduled).toBe(true);
    poller.stop();
    expect(poller.scheduled).toBe(false);
  });
});
