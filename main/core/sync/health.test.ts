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
  const cases: Array<{ name: string; facts: Partial<HealthFacts>; state: string; code: string; reason?: RegExp; detail?: RegExp }> = [
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
      detail: /heartbeat timeout/,
    },
    {
      name: 'realtime lost and REST cannot reach the server',
      facts: { ...live, realtimeReady: false, lastSnapshot: 'unreachable', lastSnapshotDetail: 'fetch failed' },
      state: 'offline',
      code: 'server-unreachable',
      detail: /fetch failed/,
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
    { name: 'asleep: offline, not polling', facts: { ...live, suspended: true }, state: 'offline', code: 'asleep', reason: /asleep/ },
    { name: 'joined and reconciled but the feed is stalled', facts: { ...live, feedDelayed: true }, state: 'delayed', code: 'feed-delayed', reason: /delayed/ },
    { name: 'the server rate-limits the join', facts: { ...live, realtimeReady: false, rateLimited: true }, state: 'polling', code: 'rate-limited', reason: /slow down/ },
    { name: 'REST answers 429', facts: { ...live, realtimeReady: false, lastSnapshot: 'rate-limited' }, state: 'polling', code: 'rate-limited' },
    { name: 'settling after a flapping link', facts: { ...live, settlingUntil: Number.MAX_SAFE_INTEGER }, state: 'polling', code: 'settling' },
  ];
  it.each(cases)('$name → $state', ({ facts, state, code, reason, detail }) => {
    const verdict = deriveHealth({ ...INITIAL_FACTS, ...facts });
    expect(verdict.state).toBe(state);
    expect(verdict.code).toBe(code);
    if (reason) expect(verdict.reason).toMatch(reason);
    if (detail) expect(verdict.detail).toMatch(detail);
  });

  it('reasons are plain words: no protocol jargon in any of them', () => {
    for (const { facts } of cases) {
      const { reason } = deriveHealth({ ...INITIAL_FACTS, ...facts, realtimeDownReason: 'heartbeat timeout', lastSnapshotDetail: '503: PGRST001' });
      expect(reason).not.toMatch(/heartbeat|realtime|snapshot|PGRST|socket|channel|\d{3}:/i);
    }
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

  it('a live change or proof moves lastSyncAt and reports it ("updated N s ago"), at most once a second', async () => {
    const { clock, reports, tracker } = track();
    tracker.update({ ...live });
    const count = reports.length;
    await clock.advance(2_000);
    tracker.touch();
    expect(reports).toHaveLength(count + 1);
    expect(reports.at(-1)).toMatchObject({ state: 'live', lastSyncAt: 1_002_000 });
    await clock.advance(300);
    tracker.touch();
    expect(reports).toHaveLength(count + 1);
    expect(tracker.report().lastSyncAt).toBe(1_002_300);
  });

  it('settling holds live back until the time passed, then reports live by itself', async () => {
    const { clock, reports, tracker } = track();
    tracker.update({ ...live, settlingUntil: clock.now() + 30_000 });
    expect(reports.at(-1)?.state).toBe('polling');
    await clock.advance(29_999);
    expect(reports.at(-1)?.state).toBe('polling');
    await clock.advance(1);
    expect(reports.at(-1)).toMatchObject({ state: 'live', code: 'live' });
    tracker.dispose();
  });

  it('does not report when only an unrelated fact changes', () => {
    const { reports, tracker } = track();
    tracker.update({ signedIn: true });
    const count = reports.length;
    tracker.update({ lastSnapshotDetail: 'something' });
    expect(reports).toHaveLength(count);
  });
});
