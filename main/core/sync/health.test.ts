import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { deriveHealth, HealthTracker, INITIAL_FACTS, type HealthFacts, type HealthReport } from './health.ts';

const live: HealthFacts = {
  ...INITIAL_FACTS,
  signedIn: true,
  realtimeReady: true,
  realtimeEverUp: true,
  lastSnapshot: 'ok',
  reconciledSinceJoin: true,
};

describe('deriveHealth', () => {
  const cases: Array<{ name: string; facts: Partial<HealthFacts>; state: string; code: string; reason?: RegExp }> = [
    { name: 'nobody signed in', facts: { ...INITIAL_FACTS }, state: 'signed-out', code: 'not-signed-in' },
    { name: 'refresh refused', facts: { ...INITIAL_FACTS, signedOutReason: 'your session was revoked' }, state: 'signed-out', code: 'signed-out', reason: /revoked/ },
    { name: 'signed out wins over everything', facts: { ...live, signedIn: false, osOnline: false }, state: 'signed-out', code: 'not-signed-in' },
    { name: 'joined, changes ready, reconciled', facts: live, state: 'live', code: 'live' },
    { name: 'the OS says offline even if the socket looks fine', facts: { ...live, osOnline: false }, state: 'offline', code: 'os-offline' },
    { name: 'just signed in, nothing yet', facts: { ...INITIAL_FACTS, signedIn: true }, state: 'polling', code: 'connecting' },
    {
      name: 'realtime lost, REST fine',
      facts: { ...live, realtimeReady: false, realtimeDownReason: 'heartbeat timeout', reconciledSinceJoin: false },
      state: 'polling',
      code: 'realtime-down',
      reason: /heartbeat timeout/,
    },
    {
      name: 'realtime lost and REST cannot reach the server',
      facts: { ...live, realtimeReady: false, lastSnapshot: 'unreachable', lastSnapshotDetail: 'fetch failed' },
      state: 'offline',
      code: 'server-unreachable',
      reason: /fetch failed/,
    },
    {
      name: 'realtime lost and the RPC answered with garbage: not offline',
      facts: { ...live, realtimeReady: false, lastSnapshot: 'failed', lastSnapshotDetail: 'malformed' },
      state: 'polling',
      code: 'realtime-down',
    },
    { name: 'rejoined, reconcile not done yet', facts: { ...live, reconciledSinceJoin: false }, state: 'polling', code: 'reconciling' },
    { name: 'joined but the latest snapshot failed', facts: { ...live, lastSnapshot: 'failed', lastSnapshotDetail: 'bad payload' }, state: 'polling', code: 'snapshot-failed' },
    { name: 'joined but REST unreachable (database restart): polling, not offline', facts: { ...live, lastSnapshot: 'unreachable' }, state: 'polling', code: 'snapshot-failed' },
  ];
  it.each(cases)('$name → $state', ({ facts, state, code, reason }) => {
    const verdict = deriveHealth({ ...INITIAL_FACTS, ...facts });
    expect(verdict.state).toBe(state);
    expect(verdict.code).toBe(code);
    if (reason) expect(verdict.reason).toMatch(reason);
  });
});

describe('HealthTracker', () => {
  function track() {
    const clock = new FakeClock(1_000_000);
    const reports: HealthReport[] = [];
    const tracker = new HealthTracker(clock, (report) => reports.push(report));
    return { clock, reports, tracker };
  }

  it('reports each change of state once, with lastSyncAt from the last good snapshot', async () => {
    const { clock, reports, tracker } = track();
    tracker.update({ signedIn: true });
    tracker.update({ realtimeReady: true, realtimeEverUp: true });
    await clock.advance(500);
    tracker.update({ lastSnapshot: 'ok', reconciledSinceJoin: true });
    tracker.update({ lastSnapshot: 'ok', reconciledSinceJoin: true });
    expect(reports.map((r) => r.state)).toEqual(['polling', 'polling', 'live']);
    expect(reports.at(-1)).toMatchObject({ state: 'live', lastSyncAt: 1_000_500 });

    await clock.advance(10_000);
    tracker.update({ realtimeReady: false, realtimeDownReason: 'socket closed', reconciledSinceJoin: false });
    expect(reports.at(-1)).toMatchObject({ state: 'polling', code: 'realtime-down', lastSyncAt: 1_000_500 });
  });

  it('a live change moves lastSyncAt without reporting', async () => {
    const { clock, reports, tracker } = track();
    tracker.update({ ...live });
    const count = reports.length;
    await clock.advance(2_000);
    tracker.touch();
    expect(reports).toHaveLength(count);
    expect(tracker.report().lastSyncAt).toBe(1_002_000);
  });

  it('does not report when only an unrelated fact changes', () => {
    const { reports, tracker } = track();
    tracker.update({ signedIn: true });
    const count = reports.length;
    tracker.update({ lastSnapshotDetail: 'something' });
    expect(reports).toHaveLength(count);
  });
});
