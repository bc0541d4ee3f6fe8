/**
 * The engine's decisions, step by step, on a fake client and a FakeClock.
 * (engine.integration.test.ts runs it for real against the local stack.)
 */
import { describe, expect, it } from 'vitest';
import type { Health } from '../domain/types.ts';
import { FakeClock, flushPromises } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import type { RowChange } from '../payloads/change.ts';
import { SyncEngine, type HealthInfo, type SnapshotReason } from './engine.ts';
import { FakeSession, FakeSupabase, snapshotAnswer, type FakeChannel } from '../../../test/fakes/fake-supabase.ts';

const USER = 'a0000000-0000-4000-8000-000000000001';

function setup(options: { signedIn?: boolean; autoAnswer?: boolean } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12));
  const fake = new FakeSupabase();
  if (options.autoAnswer ?? true) fake.autoAnswer = () => snapshotAnswer();
  const session = new FakeSession(fake, { userId: options.signedIn === false ? null : USER });
  const logger = new RecordingLogger();
  const engine = new SyncEngine({ session, clock, logger, random: () => 0.5, cursors: () => ({ finishedSince: null, changesSince: null }) });
  const health: Array<{ state: Health; info: HealthInfo }> = [];
  const snapshots: SnapshotReason[] = [];
  const changes: RowChange[] = [];
  engine.onHealth((state, info) => health.push({ state, info }));
  engine.onSnapshot((_snapshot, reason) => snapshots.push(reason));
  engine.onChange((change) => changes.push(change));
  const rpcs = () => fake.log.filter((line) => line.startsWith('rpc')).length;
  const channel = (): FakeChannel => {
    const current = fake.getChannels();
    if (current.length !== 1) throw new Error(`expected one channel, have ${current.length}`);
    return current[0]!;
  };
  const state = () => health.at(-1)?.state;
  return { clock, fake, session, engine, health, snapshots, changes, rpcs, channel, state, logger };
}

let changeSeq = 0;
/** A realtime UPDATE of a task, committed at `at` (server time = FakeClock time in these tests). */
function taskChange(status: string, at: number, id = `a3000000-0000-4000-8000-${String(++changeSeq).padStart(12, '0')}`) {
  const iso = new Date(at).toISOString();
  return {
    table: 'agent_tasks',
    schema: 'public',
    eventType: 'UPDATE',
    new: { id, agent_id: USER, contact_id: 'a2000000-0000-4000-8000-000000000001', title: 't', status, result: null, error: null, created_at: iso, started_at: null, completed_at: null, updated_at: iso },
    old: {},
    commit_timestamp: iso,
    errors: null,
  };
}

async function goLive(t: ReturnType<typeof setup>): Promise<void> {
  t.engine.start();
  await flushPromises();
  t.channel().status('SUBSCRIBED');
  t.channel().postgresReady();
  await flushPromises();
  expect(t.state()).toBe('live');
}

describe('SyncEngine (fake client)', () => {
  it('sets the token before subscribing, binds the six tables on one channel, reconciles once changes are ready', async () => {
    const t = setup();
    t.engine.start();
    await flushPromises();
    expect(t.fake.log.slice(0, 2)).toEqual(['setAuth', `subscribe realtime:beacon:${USER}`]);
    const bindings = t.channel().bindings;
    expect(bindings.filter((b) => b.type === 'postgres_changes')).toHaveLength(6);
    expect(bindings.filter((b) => b.type === 'system')).toHaveLength(1);
    expect(t.state()).toBe('polling');

    t.channel().status('SUBSCRIBED');
    await flushPromises();
    expect(t.rpcs()).toBe(0); // not before "Subscribed to PostgreSQL"
    t.channel().postgresReady();
    await flushPromises();
    expect(t.snapshots).toEqual(['subscribed']);
    expect(t.state()).toBe('live');
  });

  it('reconciles anyway when the server never says "Subscribed to PostgreSQL", and again if it says so late', async () => {
    const t = setup();
    t.engine.start();
    await flushPromises();
    t.channel().status('SUBSCRIBED');
    await t.clock.advance(3_000);
    expect(t.snapshots).toEqual(['subscribed']);
    expect(t.state()).toBe('live');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.snapshots).toEqual(['subscribed', 'postgres-ready']);
  });

  it('while live: no REST call while changes flow; idle, one probe per 30 s; two timers (watchdog, probe)', async () => {
    const t = setup();
    await goLive(t);
    const rpcs = t.rpcs();
    for (let i = 0; i < 60; i += 1) {
      await t.clock.advance(1_000);
      if (i % 4 === 3) t.session.heartbeat('ok');
      if (i % 10 === 9) t.channel().change(taskChange('in_progress', t.clock.now()));
    }
    expect(t.rpcs()).toBe(rpcs);
    expect(t.clock.pendingTimers).toBe(2);
    // Idle from now: one probe at 30 s, one at 60 s; every 30 s thereafter (120 per idle hour).
    await t.clock.advance(60_000);
    expect(t.rpcs()).toBe(rpcs + 2);
    expect(t.snapshots.slice(-2)).toEqual(['probe', 'probe']);
    expect(t.state()).toBe('live');
    await t.clock.advance(3_600_000 - 60_000);
    expect(t.rpcs()).toBe(rpcs + 120);
  });

  it('polls every 5 s ± 1 s while realtime is down and stops once the channel is back and reconciled', async () => {
    const t = setup();
    await goLive(t);
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1006'));
    await t.clock.advance(0);
    expect(t.state()).toBe('polling');
    expect(t.health.at(-1)?.info.detail).toMatch(/1006/);
    await t.clock.advance(5_000);
    expect(t.snapshots.at(-1)).toBe('poll'); // the first poll within [0, 10 s) (random 0.5: 5 s)
    await t.clock.advance(15_000);
    expect(t.snapshots.filter((r) => r === 'poll')).toHaveLength(4);

    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.state()).toBe('live');
    const rpcs = t.rpcs();
    await t.clock.advance(29_000); // the idle probe comes at 30 s
    expect(t.rpcs()).toBe(rpcs);
  });

  it('realtime lost without a word (heartbeats go unanswered): polling within 10 s, and a poll soon after', async () => {
    // The fault matrix loses realtime this way on real sockets; how fast Beacon notices is proven here,
    // in virtual time, so no test depends on the shared machine's speed.
    const t = setup();
    await goLive(t);
    const lostAt = t.clock.now();
    while (!t.fake.log.includes('disconnect') && t.clock.now() - lostAt < 10_000) await t.clock.advance(100);
    expect(t.fake.log).toContain('disconnect'); // the watchdog gave up on the socket
    // realtime-js then reports the channel's socket as closed.
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1006'));
    await t.clock.advance(0);
    expect(t.state()).toBe('polling');
    expect(t.clock.now() - lostAt).toBeLessThan(10_000); // virtual time: the watchdog's own schedule
    // The first poll after a loss is spread (full jitter) so a fleet does not poll at once, but it comes.
    const pollingAt = t.clock.now();
    while (!t.snapshots.includes('poll') && t.clock.now() - pollingAt < 10_000) await t.clock.advance(100);
    expect(t.snapshots).toContain('poll');
  });

  it('offline when realtime is down and the snapshot cannot reach the server; live again after', async () => {
    const t = setup();
    await goLive(t);
    t.fake.autoAnswer = () => ({ data: null, error: { message: 'TypeError: fetch failed' }, status: 0 });
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1006'));
    await t.clock.advance(5_000);
    expect(t.state()).toBe('offline');
    expect(t.health.at(-1)?.info.code).toBe('server-unreachable');
    t.fake.autoAnswer = () => snapshotAnswer();
    await t.clock.advance(6_000);
    expect(t.state()).toBe('polling');
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.state()).toBe('live');
  });

  it('a channel closed by the server over its token: refresh, remove, recreate — never two channels', async () => {
    const t = setup();
    await goLive(t);
    const first = t.channel();
    first.system({ extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'x' });
    first.status('CLOSED');
    await t.clock.advance(2_000); // full-jitter back-off (random 0.5: 1.5 s)
    expect(t.session.refreshes).toHaveLength(1);
    expect(t.fake.created).toHaveLength(2);
    expect(t.fake.getChannels()).toHaveLength(1);
    expect(t.channel()).not.toBe(first);
    expect(t.fake.log.slice(-2)).toEqual(['setAuth', `subscribe realtime:beacon:${USER}`]);
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.state()).toBe('live');
  });

  it('a channel the server keeps closing is recreated with back-off, not in a loop', async () => {
    const t = setup();
    await goLive(t);
    const createdAt: number[] = [];
    const start = t.clock.now();
    for (let i = 0; i < 5; i += 1) {
      t.channel().status('CLOSED');
      const before = t.fake.created.length;
      while (t.fake.created.length === before) await t.clock.advance(100);
      createdAt.push(t.clock.now() - start);
    }
    // Full jitter with random 0.5 over windows of 2, 4, 8, 15 (cap), 15 s, floor 1 s: 1.5, 2.5, 4.5, 8, 8 s.
    expect(createdAt.map((ms, i) => (ms - (createdAt[i - 1] ?? 0)) / 1000)).toEqual([1.5, 2.5, 4.5, 8, 8]);
    expect(t.fake.getChannels()).toHaveLength(1);
    expect(t.session.refreshes).toHaveLength(0); // nothing said the token was the problem
  });

  it('a join refused over the token refreshes it so realtime-js rejoins with a fresh one', async () => {
    const t = setup();
    t.engine.start();
    await flushPromises();
    t.channel().status('CHANNEL_ERROR', new Error('InvalidJWTToken: Token has expired 5 seconds ago'));
    await flushPromises();
    expect(t.session.refreshes).toHaveLength(1);
    expect(t.fake.created).toHaveLength(1);
  });

  it('watchdog: a heartbeat error or no ack forces a reconnect; a timeout is left to realtime-js', async () => {
    const t = setup();
    await goLive(t);
    t.session.heartbeat('timeout');
    await t.clock.advance(0);
    expect(t.fake.log.filter((l) => l === 'disconnect')).toHaveLength(0);
    expect(t.state()).toBe('polling');

    t.session.heartbeat('ok');
    t.session.heartbeat('error');
    await t.clock.advance(0);
    expect(t.fake.log.at(-1)).toBe('disconnect');
    // The connect waits a full-jitter delay (random 0.5: 0.5 + 0.5 × 9.5 s), so a fleet does not reconnect in one wave.
    await t.clock.advance(5_250);
    expect(t.fake.log.at(-1)).toBe('connect');

    t.session.heartbeat('ok');
    const before = t.fake.log.filter((l) => l === 'disconnect').length;
    await t.clock.advance(8_600);
    expect(t.fake.log.filter((l) => l === 'disconnect')).toHaveLength(before + 1);
    expect(t.engine.stats().forcedReconnects).toBe(2);
  });

  it('a rejoin late in the heartbeat cycle counts as contact: no forced reconnect right after it', async () => {
    const t = setup();
    await goLive(t); // joined at 0
    await t.clock.advance(3_000);
    t.session.heartbeat('ok'); // last ack on the old socket: 3000
    await t.clock.advance(4_000);
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1012'));
    await t.clock.advance(2_000);
    t.channel().status('SUBSCRIBED'); // realtime-js reconnected and rejoined at 9000
    t.channel().postgresReady();
    // The new socket acks from one interval after it opened (13000) on, every interval.
    for (let i = 0; i < 3; i += 1) {
      await t.clock.advance(4_000);
      t.session.heartbeat('ok');
    }
    expect(t.fake.log).not.toContain('disconnect');
    expect(t.engine.stats().forcedReconnects).toBe(0);
    expect(t.state()).toBe('live');
  });

  it('"Subscribed to PostgreSQL" again on a joined channel (the server re-subscribed): reconcile, stay live', async () => {
    const t = setup();
    await goLive(t);
    const health = t.health.length;
    t.channel().postgresReady();
    await flushPromises();
    expect(t.snapshots).toEqual(['subscribed', 'postgres-ready']);
    expect(t.health.slice(health)).toEqual([]);
    expect(t.state()).toBe('live');
  });

  it('suspend stops timers; resume forces a reconnect and reconciles; unlock and network return reconcile', async () => {
    const t = setup();
    await goLive(t);
    t.engine.suspend();
    expect(t.clock.pendingTimers).toBe(1); // only the wake check
    expect(t.state()).toBe('offline');
    t.engine.resume();
    await flushPromises();
    expect(t.fake.log).toContain('disconnect');
    expect(t.snapshots.at(-1)).toBe('resume');
    t.engine.unlock();
    await flushPromises();
    expect(t.snapshots.at(-1)).toBe('unlock');
    t.engine.online(false);
    expect(t.state()).toBe('offline');
    t.engine.online(true);
    await flushPromises();
    expect(t.snapshots.at(-1)).toBe('online');
  });

  it('coalesces snapshot requests made while one is running into one more run', async () => {
    const t = setup({ autoAnswer: false });
    t.engine.start();
    await flushPromises();
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.fake.rpcCalls).toHaveLength(1);
    const requests = [t.engine.requestSnapshot('unlock'), t.engine.requestSnapshot('requested'), t.engine.requestSnapshot('resume')];
    t.fake.rpcCalls[0]!.resolve(snapshotAnswer());
    await flushPromises();
    expect(t.fake.rpcCalls).toHaveLength(2);
    t.fake.rpcCalls[1]!.resolve(snapshotAnswer());
    expect(await Promise.all(requests)).toEqual([true, true, true]);
    expect(t.snapshots).toEqual(['subscribed', 'unlock']);
  });

  it('refreshes the token and retries once when the RPC says the JWT expired', async () => {
    const t = setup();
    let calls = 0;
    t.fake.autoAnswer = () => (++calls === 1 ? { data: null, error: { message: 'JWT expired', code: 'PGRST303' }, status: 401 } : snapshotAnswer());
    await goLive(t);
    expect(t.session.refreshes).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('validates changes: good ones go out typed, bad ones are logged and answered with a snapshot', async () => {
    const t = setup();
    await goLive(t);
    const rejections: string[] = [];
    t.engine.onRejected((rejection) => rejections.push(rejection.reason));
    t.channel().change({ table: 'agent_tasks', schema: 'public', eventType: 'DELETE', new: {}, old: { id: 'a3000000-0000-4000-8000-000000000001' }, commit_timestamp: null, errors: null });
    t.channel().change({ table: 'agent_tasks', schema: 'public', eventType: 'UPDATE', new: { id: 'a3000000-0000-4000-8000-000000000001', status: 'paused' }, old: {}, commit_timestamp: null, errors: null });
    await flushPromises();
    expect(t.changes).toEqual([{ table: 'agent_tasks', eventType: 'DELETE', id: 'a3000000-0000-4000-8000-000000000001', commitTimestamp: null }]);
    expect(rejections).toEqual(['invalid-row']);
    expect(t.snapshots.at(-1)).toBe('rejected-change');
    expect(t.logger.at('warn').some((e) => e.message.includes('rejected a realtime change'))).toBe(true);
  });

  it('a snapshot that fails validation is rejected, the state is not live, and polling retries', async () => {
    const t = setup();
    t.fake.autoAnswer = () => ({ data: { server_time: 'garbage' }, error: null, status: 200 });
    t.engine.start();
    await flushPromises();
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.snapshots).toEqual([]);
    expect(t.state()).toBe('polling');
    expect(t.health.at(-1)?.info.code).toBe('snapshot-failed');
    t.fake.autoAnswer = () => snapshotAnswer();
    await t.clock.advance(6_000);
    expect(t.state()).toBe('live');
  });

  it('sign-out tears down and reports the reason; sign-in starts again', async () => {
    const t = setup();
    await goLive(t);
    t.session.emit({ type: 'signed-out', reason: 'Your session is no longer valid.' });
    await flushPromises();
    expect(t.state()).toBe('signed-out');
    expect(t.health.at(-1)?.info.reason).toBe('Your session is no longer valid.');
    expect(t.fake.getChannels()).toEqual([]);
    expect(t.fake.socket).toBe('closed');
    expect(t.clock.pendingTimers).toBe(0);

    t.session.emit({ type: 'signed-in', userId: USER, email: 'agent.a@beacon.local' });
    await flushPromises();
    expect(t.fake.getChannels()).toHaveLength(1);
    expect(t.state()).toBe('polling');
  });

  it('starts signed out and waits for a sign-in', async () => {
    const t = setup({ signedIn: false });
    t.engine.start();
    await flushPromises();
    expect(t.state()).toBe('signed-out');
    expect(t.fake.created).toHaveLength(0);
  });

  it('stop leaves no channel, no socket and no timer, even mid-snapshot and while polling', async () => {
    const t = setup({ autoAnswer: false });
    t.engine.start();
    await flushPromises();
    t.channel().status('CHANNEL_ERROR', new Error('socket closed'));
    await t.clock.advance(5_000);
    expect(t.clock.pendingTimers).toBeGreaterThan(0);
    await t.engine.stop();
    expect(t.fake.getChannels()).toEqual([]);
    expect(t.fake.socket).toBe('closed');
    expect(t.clock.pendingTimers).toBe(0);
  });
});
