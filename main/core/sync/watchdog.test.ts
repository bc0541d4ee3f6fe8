import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { HeartbeatWatchdog, type StallReason } from './watchdog.ts';

function setup() {
  const clock = new FakeClock(0);
  const stalls: Array<{ at: number; reason: StallReason }> = [];
  const watchdog = new HeartbeatWatchdog({
    clock,
    heartbeatIntervalMs: 4_000,
    slackMs: 500,
    maxBackoffMs: 30_000,
    onStall: (reason) => stalls.push({ at: clock.now(), reason }),
  });
  return { clock, stalls, watchdog };
}

/** Simulates realtime-js: `sent` every interval, answered `ok` 20 ms later while `answering()`. */
function heartbeats(clock: FakeClock, watchdog: HeartbeatWatchdog, answering: () => boolean): void {
  const beat = () => {
    watchdog.heartbeat('sent');
    if (answering()) clock.setTimeout(() => watchdog.heartbeat('ok'), 20);
    clock.setTimeout(beat, 4_000);
  };
  clock.setTimeout(beat, 4_000);
}

describe('HeartbeatWatchdog', () => {
  it('stays quiet while heartbeats are acknowledged', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    heartbeats(clock, watchdog, () => true);
    await clock.advance(120_000);
    expect(stalls).toEqual([]);
  });

  it('declares a stall after two intervals without an ack', async () => {
    const { clock, stalls, watchdog } = setup();
    let answering = true;
    watchdog.start();
    heartbeats(clock, watchdog, () => answering);
    await clock.advance(10_000); // last ack at 8020
    answering = false;
    await clock.advance(10_000);
    expect(stalls).toEqual([{ at: 8_020 + 8_500, reason: 'no-heartbeat-ack' }]);
  });

  it('reacts at once to a heartbeat timeout or error', () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    watchdog.heartbeat('timeout');
    watchdog.heartbeat('ok');
    watchdog.heartbeat('error');
    expect(stalls).toEqual([
      { at: 0, reason: 'heartbeat-timeout' },
      { at: 0, reason: 'heartbeat-error' },
    ]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('backs off while nothing is acknowledged, and resets after an ack', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    await clock.advance(100_000);
    expect(stalls.map((s) => s.at)).toEqual([8_500, 8_500 + 17_000, 8_500 + 17_000 + 30_000, 8_500 + 17_000 + 30_000 + 30_000]);
    watchdog.heartbeat('ok');
    const ackAt = clock.now();
    await clock.advance(9_000);
    expect(stalls.at(-1)?.at).toBe(ackAt + 8_500);
  });

  it('never runs a timer faster than the heartbeat interval', async () => {
    const clock = new FakeClock(0);
    const delays: number[] = [];
    const spy = {
      now: () => clock.now(),
      setTimeout: (callback: () => void, ms: number) => {
        delays.push(ms);
        return clock.setTimeout(callback, ms);
      },
      clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
    };
    const watchdog = new HeartbeatWatchdog({ clock: spy, heartbeatIntervalMs: 4_000, onStall: () => {} });
    watchdog.start();
    heartbeats(clock, watchdog, () => true);
    await clock.advance(60_000);
    // Each firing re-arms for the rest of the window since the last ack: about one interval or more.
    expect(delays.length).toBeLessThanOrEqual(60_000 / 4_000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_000);
  });

  it('stop (suspend, sign-out) leaves no timer and ignores late heartbeats', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    watchdog.stop();
    expect(clock.pendingTimers).toBe(0);
    watchdog.heartbeat('timeout');
    await clock.advance(60_000);
    expect(stalls).toEqual([]);
    expect(watchdog.active).toBe(false);
  });

  it('start after a suspend gives a fresh allowance', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    await clock.advance(5_000);
    watchdog.stop();
    clock.set(clock.now() + 3_600_000); // the laptop slept an hour
    watchdog.start();
    await clock.advance(8_000);
    expect(stalls).toEqual([]);
    await clock.advance(500);
    expect(stalls).toHaveLength(1);
  });

  it('a reconnect late in the heartbeat cycle is not followed by a needless forced one', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    // Old socket: acks at 4020 and 8020; the link dies before the next one.
    clock.setTimeout(() => watchdog.heartbeat('ok'), 4_020);
    clock.setTimeout(() => watchdog.heartbeat('ok'), 8_020);
    await clock.advance(12_900);
    // realtime-js reconnected and the channel joined at 12 900; the new socket's first heartbeat
    // goes out one interval after it opened, so its first ack lands at 16 920, past 8020 + 8500.
    watchdog.connected();
    clock.setTimeout(() => watchdog.heartbeat('ok'), 4_020);
    await clock.advance(10_000);
    expect(stalls).toEqual([]);
  });

  it('connected() keeps the back-off of a link that still does not answer', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.start();
    await clock.advance(8_500);
    expect(stalls).toEqual([{ at: 8_500, reason: 'no-heartbeat-ack' }]);
    await clock.advance(1_000);
    watchdog.connected(); // joined again, but heartbeats still go unanswered
    await clock.advance(16_999);
    expect(stalls).toHaveLength(1);
    await clock.advance(1);
    expect(stalls.at(-1)).toEqual({ at: 9_500 + 17_000, reason: 'no-heartbeat-ack' });
  });

  it('connected() does nothing while stopped', async () => {
    const { clock, stalls, watchdog } = setup();
    watchdog.connected();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(stalls).toEqual([]);
  });
});
