/**
 * The connection lifecycle and the health invariants, in virtual time
 * (FakeClock + fake client): suspend without resume, signs of life, an errored
 * channel on a healthy socket, a stalled feed (delayed), a flapping link
 * (hysteresis), back-off, and a seeded random walk over all of them that
 * checks after every step:
 *   - polling / delayed ⇒ a poll is scheduled or running;
 *   - live ⇒ the channel is joined and the last proof of delivery is recent;
 *   - asleep ⇒ the suspend ends within its bound.
 */
import { describe, expect, it } from 'vitest';
import type { Health } from '../domain/types.ts';
import { FakeClock, flushPromises } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { FakeSession, FakeSupabase, type FakeChannel } from '../../../test/fakes/fake-supabase.ts';
import { createPrng, seedFromEnv } from '../../../test/integration/prng.ts';
import { SyncEngine, type HealthInfo, type SnapshotReason } from './engine.ts';

const USER = 'a0000000-0000-4000-8000-000000000001';
const CONTACT = 'a2000000-0000-4000-8000-000000000001';

interface ServerTask {
  id: string;
  status: string;
  updatedAt: number;
}

/** A tiny server: task rows with their commit times; the snapshot answers from them at the clock's time. */
class FakeServer {
  readonly tasks = new Map<string, ServerTask>();
  mode: 'ok' | 'unreachable' | '429' = 'ok';
  private seq = 0;
  private readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  commit(status: string, id = `a3000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}`): ServerTask {
    const task = { id, status, updatedAt: this.clock.now() };
    this.tasks.set(id, task);
    return task;
  }

  answer() {
    if (this.mode === 'unreachable') return { data: null, error: { message: 'TypeError: fetch failed' }, status: 0 };
    if (this.mode === '429') return { data: null, error: { message: 'Too Many Requests' }, status: 429 };
    const rows = [...this.tasks.values()].map((t) => row(t));
    return {
      data: {
        server_time: new Date(this.clock.now()).toISOString(),
        profile: { id: USER, email: 'agent.a@beacon.local', display_name: 'Avery', notifications_enabled: true },
        active_tasks: rows.filter((r) => r.status === 'pending' || r.status === 'in_progress'),
        finished_tasks: rows.filter((r) => r.status !== 'pending' && r.status !== 'in_progress'),
        contacts: [],
        conversation_changes: { metadata: [], notes: [], labels: [] },
      },
      error: null,
      status: 200,
    };
  }
}

function row(task: ServerTask) {
  const iso = new Date(task.updatedAt).toISOString();
  return { id: task.id, agent_id: USER, contact_id: CONTACT, title: 'Summarise', status: task.status, result: null, error: null, created_at: iso, started_at: null, completed_at: null, updated_at: iso };
}

function change(task: ServerTask) {
  return { table: 'agent_tasks', schema: 'public', eventType: 'UPDATE', new: row(task), old: {}, commit_timestamp: new Date(task.updatedAt).toISOString(), errors: null };
}

const PROBE_IDLE_MS = 30_000;
const SNAPSHOT_TIMEOUT_MS = 15_000;

function setup(random: () => number = () => 0.5, extra: { echo?: () => Promise<boolean> } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 12));
  const fake = new FakeSupabase();
  const server = new FakeServer(clock);
  fake.autoAnswer = () => server.answer();
  const session = new FakeSession(fake, { userId: USER, heartbeatIntervalMs: 4_000 });
  const logger = new RecordingLogger();
  const engine = new SyncEngine({ session, clock, logger, random, cursors: () => ({ finishedSince: null, changesSince: null }), snapshotTimeoutMs: SNAPSHOT_TIMEOUT_MS, ...extra });
  const health: Array<{ at: number; state: Health; info: HealthInfo }> = [];
  const snapshots: SnapshotReason[] = [];
  engine.onHealth((state, info) => health.push({ at: clock.now(), state, info }));
  engine.onSnapshot((_s, reason) => snapshots.push(reason));
  const channel = (): FakeChannel => {
    const current = fake.getChannels();
    if (current.length !== 1) throw new Error(`expected one channel, have ${current.length}`);
    return current[0]!;
  };
  const state = () => health.at(-1)?.state;
  const rpcs = () => fake.log.filter((line) => line.startsWith('rpc')).length;
  return { clock, fake, server, session, engine, health, snapshots, channel, state, rpcs, logger };
}
type T = ReturnType<typeof setup>;

async function goLive(t: T): Promise<void> {
  t.engine.start();
  await flushPromises();
  t.channel().status('SUBSCRIBED');
  t.channel().postgresReady();
  await flushPromises();
  expect(t.state()).toBe('live');
}

/** The health invariants; returns a description of the first broken one, or null. */
function brokenInvariant(t: T): string | null {
  const state = t.state();
  const life = t.engine.lifecycle();
  if ((state === 'polling' || state === 'delayed') && !t.engine.pollScheduled()) return `${state} without a scheduled poll (${life.phase})`;
  if (state === 'live') {
    if (life.phase !== 'joined' || !life.pgReady) return `live while ${life.phase}`;
    const age = t.clock.now() - t.engine.lastDeliveryProofAt();
    if (age > PROBE_IDLE_MS + SNAPSHOT_TIMEOUT_MS + 1_000) return `live with a proof ${age} ms old`;
    if (t.fake.getChannels().length !== 1 || t.fake.getChannels()[0]!.state !== 'joined') return 'live without a joined channel';
  }
  if (life.phase === 'suspended' && t.clock.now() - life.since > 60_000 + 5_000) return `suspended for ${t.clock.now() - life.since} ms`;
  return null;
}

describe('SyncEngine lifecycle (virtual time)', () => {
  it('a suspend without resume ends by itself within its bound: reconnect, reconcile, poll until live', async () => {
    const t = setup();
    await goLive(t);
    t.engine.suspend();
    expect(t.engine.lifecycle().phase).toBe('suspended');
    expect(t.state()).toBe('offline');
    expect(t.health.at(-1)?.info.code).toBe('asleep');
    const disconnects = t.fake.log.filter((l) => l === 'disconnect').length;
    await t.clock.advance(59_000);
    expect(t.engine.lifecycle().phase).toBe('suspended');
    await t.clock.advance(6_000);
    expect(t.engine.lifecycle().phase).not.toBe('suspended');
    expect(t.fake.log.filter((l) => l === 'disconnect').length).toBe(disconnects + 1);
    expect(t.snapshots).toContain('resume');
    expect(t.state()).toBe('polling');
    expect(t.engine.pollScheduled()).toBe(true);
    expect(t.engine.stats().wakes).toBe(1);
  });

  it('a suspend ends at any sign of life: timer drift (the machine slept), a heartbeat ack, a join, unlock, network', async () => {
    for (const sign of ['drift', 'heartbeat', 'join', 'unlock', 'online'] as const) {
      const t = setup();
      await goLive(t);
      t.engine.suspend();
      await t.clock.advance(1_000);
      if (sign === 'drift') {
        t.clock.set(t.clock.now() + 3_600_000); // slept an hour; timers fire late
        await t.clock.advance(0);
      } else if (sign === 'heartbeat') t.session.heartbeat('ok');
      else if (sign === 'join') t.channel().status('SUBSCRIBED');
      else if (sign === 'unlock') t.engine.unlock();
      else t.engine.online(true);
      await flushPromises();
      expect(t.engine.lifecycle().phase, sign).not.toBe('suspended');
      expect(t.engine.stats().wakes, sign).toBe(1);
      expect(brokenInvariant(t), sign).toBeNull();
    }
  });

  it('an errored channel on a healthy socket that realtime-js does not bring back is recreated with back-off', async () => {
    const t = setup();
    await goLive(t);
    expect(t.fake.socket).toBe('open');
    t.channel().status('CHANNEL_ERROR', new Error('unexpected error'));
    await t.clock.advance(0);
    expect(t.state()).toBe('polling');
    expect(t.fake.created).toHaveLength(1);
    await t.clock.advance(1_500); // full jitter in [1 s, 2 s], random 0.5
    expect(t.fake.created).toHaveLength(2);
    expect(t.fake.getChannels()).toHaveLength(1);
    // Errors again: the next window is twice as long.
    t.channel().status('CHANNEL_ERROR', new Error('unexpected error'));
    await t.clock.advance(2_400);
    expect(t.fake.created).toHaveLength(2);
    await t.clock.advance(100);
    expect(t.fake.created).toHaveLength(3);
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await flushPromises();
    expect(t.state()).toBe('live'); // one loss of a live link: no settling needed
  });

  it('an errored channel that rejoins by itself (realtime-js) is not recreated', async () => {
    const t = setup();
    await goLive(t);
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1006'));
    await t.clock.advance(1_000);
    t.channel().status('SUBSCRIBED');
    t.channel().postgresReady();
    await t.clock.advance(60_000);
    expect(t.fake.created).toHaveLength(1);
    expect(t.state()).toBe('live');
  });

  it('a join refused as rate-limited backs off further and says so in plain words', async () => {
    const t = setup();
    await goLive(t);
    t.channel().status('CHANNEL_ERROR', new Error('ClientJoinRateLimitReached: Too many joins per second'));
    await t.clock.advance(0);
    expect(t.health.at(-1)?.info.code).toBe('rate-limited');
    expect(t.health.at(-1)?.info.reason).toMatch(/slow down/);
    // Attempt 0 plus one rate-limit step: window 4 s, random 0.5 → 2.5 s.
    await t.clock.advance(2_400);
    expect(t.fake.created).toHaveLength(1);
    await t.clock.advance(100);
    expect(t.fake.created).toHaveLength(2);
    expect(t.engine.reconnectDelay(1)).toBeGreaterThan(t.engine.reconnectDelay(1) - 1); // deterministic with random 0.5
  });

  it('a stalled feed (socket and heartbeats fine, no changes delivered) is shown as delayed within 60 s, polled, and ends when changes flow', async () => {
    const t = setup();
    await goLive(t);
    const stalledAt = t.clock.now();
    // Replication stalls: tasks finish on the server, nothing arrives; heartbeats keep coming.
    for (let s = 0; s < 60; s += 1) {
      await t.clock.advance(1_000);
      if (s % 4 === 3) t.session.heartbeat('ok');
      if (s === 2) t.server.commit('completed');
      if (t.state() === 'delayed') break;
    }
    expect(t.state()).toBe('delayed');
    expect(t.clock.now() - stalledAt).toBeLessThanOrEqual(60_000);
    expect(t.health.at(-1)?.info.reason).toMatch(/delayed/);
    expect(t.engine.pollScheduled()).toBe(true);
    const polls = t.snapshots.filter((r) => r === 'poll').length;
    await t.clock.advance(12_000);
    expect(t.snapshots.filter((r) => r === 'poll').length).toBeGreaterThanOrEqual(polls + 2);
    // The feed delivers again.
    t.channel().change(change(t.server.commit('completed')));
    await flushPromises();
    expect(t.state()).toBe('live');
    expect(t.engine.pollScheduled()).toBe(false);
  });

  it('while live no timer shorter than the heartbeat is ever asked for (the probe is 30 s)', async () => {
    const t = setup();
    const asked: number[] = [];
    const original = t.clock.setTimeout.bind(t.clock);
    t.clock.setTimeout = (cb: () => void, ms: number) => {
      if (t.state() === 'live') asked.push(ms);
      return original(cb, ms);
    };
    await goLive(t);
    for (let s = 0; s < 120; s += 1) {
      await t.clock.advance(1_000);
      if (s % 4 === 3) t.session.heartbeat('ok');
      if (s % 20 === 0) t.channel().change(change(t.server.commit('completed')));
    }
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((ms) => ms < 4_000)).toEqual([]);
  });

  it('a one-off loss (changes dropped, feed fine again): the echo write comes back live and ends delayed at once; at most one echo per 3 min', async () => {
    let echoes = 0;
    const ref: { t?: T } = {};
    const profileEcho = () => ({ table: 'user_profiles', schema: 'public', eventType: 'UPDATE', new: { id: USER, email: 'agent.a@beacon.local', display_name: 'Avery', notifications_enabled: true }, old: {}, commit_timestamp: null, errors: null });
    const t = setup(() => 0.5, {
      echo: async () => {
        echoes += 1;
        // The feed works: the echo arrives 200 ms later.
        ref.t!.clock.setTimeout(() => ref.t!.channel().change(profileEcho()), 200);
        return true;
      },
    });
    ref.t = t;
    await goLive(t);
    await t.clock.advance(2_000);
    t.server.commit('completed'); // dropped by the server: never delivered
    for (let s = 0; s < 60 && t.state() !== 'delayed'; s += 1) await t.clock.advance(1_000);
    expect(t.state()).toBe('delayed');
    expect(echoes).toBe(1);
    await t.clock.advance(300);
    expect(t.state()).toBe('live');
    // Another loss a minute later: delayed again, but no second echo within 3 min (it clears by polling or a change).
    await t.clock.advance(20_000);
    t.server.commit('completed');
    for (let s = 0; s < 60 && t.state() !== 'delayed'; s += 1) await t.clock.advance(1_000);
    expect(t.state()).toBe('delayed');
    expect(echoes).toBe(1);
    expect(t.engine.stats().echoes).toBe(1);
  });

  it('no false alarm: changes that arrive live (even late within the grace) keep it live', async () => {
    const t = setup();
    await goLive(t);
    for (let s = 0; s < 300; s += 1) {
      await t.clock.advance(1_000);
      if (s % 4 === 3) t.session.heartbeat('ok');
      if (s % 45 === 0) {
        const task = t.server.commit('completed');
        // Delivered 3 s later (replication latency).
        t.clock.setTimeout(() => t.channel().change(change(task)), 3_000);
      }
    }
    expect(t.health.map((h) => h.state)).not.toContain('delayed');
    expect(t.state()).toBe('live');
  });

  it('a flapping link (silence-heartbeats: lost and back every ~9 s) does not flap the tray', async () => {
    const t = setup();
    await goLive(t);
    const mark = t.health.length;
    for (let i = 0; i < 10; i += 1) {
      await t.clock.advance(8_000);
      t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1000'));
      await t.clock.advance(1_000);
      t.channel().status('SUBSCRIBED');
      t.channel().postgresReady();
      await flushPromises();
    }
    const states = t.health.slice(mark).map((h) => h.state);
    const flips = states.filter((s, i) => i > 0 && s !== states[i - 1]).length;
    expect(flips).toBeLessThanOrEqual(2); // live → polling once, and at most back once
    expect(states.filter((s) => s === 'live').length).toBeLessThanOrEqual(1);
    // Once it stays up, live comes back.
    for (let i = 0; i < 10; i += 1) {
      await t.clock.advance(4_000);
      t.session.heartbeat('ok');
    }
    expect(t.state()).toBe('live');
  });

  it('polling backs off with full jitter from 5 s to 60 s while the server fails, honours 429, and returns to 5 s once it answers', async () => {
    const t = setup();
    await goLive(t);
    t.server.mode = 'unreachable';
    t.channel().status('CHANNEL_ERROR', new Error('socket closed: 1006'));
    t.fake.socket = 'closed';
    const pollTimes: number[] = [];
    t.engine.onSnapshot(() => {});
    const before = t.rpcs();
    let last = t.rpcs();
    for (let s = 0; s < 600; s += 1) {
      await t.clock.advance(1_000);
      if (t.rpcs() !== last) {
        pollTimes.push(t.clock.now());
        last = t.rpcs();
      }
    }
    const gaps = pollTimes.slice(1).map((at, i) => at - pollTimes[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(gaps.slice(-3).every((g) => g >= 30_000)).toBe(true); // grown (random 0.5 → ~31 s at the cap)
    expect(t.rpcs() - before).toBeLessThan(30); // today's fixed 5 s would be 120
    t.server.mode = 'ok';
    t.engine.retryNow();
    await flushPromises();
    const answeredAt = t.clock.now();
    const afterAnswer = t.rpcs();
    await t.clock.advance(6_000);
    expect(t.rpcs()).toBeGreaterThan(afterAnswer); // back to ~5 s
    expect(t.clock.now() - answeredAt).toBeLessThanOrEqual(6_000);
  });

  it('seeded random walk over every signal and failure: the invariants hold after every step', async () => {
    const seed = seedFromEnv();
    console.log(`engine lifecycle random walk: seed ${seed} (replay with BEACON_FAULT_SEED=${seed})`);
    const prng = createPrng(seed);
    for (let run = 0; run < 8; run += 1) {
      const rnd = prng.fork(`run-${run}`);
      const t = setup(() => rnd.next());
      await goLive(t);
      for (let step = 0; step < 100; step += 1) {
        const action = rnd.int(0, 15);
        const ch = t.fake.getChannels()[0];
        switch (action) {
          case 0: ch?.status('CHANNEL_ERROR', new Error(rnd.pick(['socket closed: 1006', 'Too many joins per second', 'unexpected']))); break;
          case 1: ch?.status('TIMED_OUT'); break;
          case 2: if (ch && ch.state !== 'joined') { ch.status('SUBSCRIBED'); ch.postgresReady(); } break;
          case 3: t.session.heartbeat('ok'); break;
          case 4: t.session.heartbeat(rnd.pick(['timeout', 'error'])); break;
          case 5: t.engine.suspend(); break;
          case 6: if (rnd.next() < 0.3) t.engine.resume(); break;
          case 7: t.engine.unlock(); break;
          case 8: t.engine.online(rnd.next() < 0.7); break;
          case 9: t.server.mode = rnd.pick(['ok', 'ok', 'unreachable', '429'] as const); break;
          case 10: { const task = t.server.commit('completed'); if (rnd.next() < 0.6 && ch?.state === 'joined') ch.change(change(task)); break; }
          case 11: t.clock.set(t.clock.now() + rnd.int(0, 120_000)); break;
          case 12: ch?.status('CLOSED'); break;
          case 13: t.engine.retryNow(); break;
          default: break;
        }
        await t.clock.advance(rnd.int(0, 20_000));
        const broken = brokenInvariant(t);
        if (broken) throw new Error(`seed ${seed}, run ${run}, step ${step} (action ${action}): ${broken}`);
        expect(t.fake.getChannels().length).toBeLessThanOrEqual(1);
      }
      await t.engine.stop();
      expect(t.clock.pendingTimers).toBe(0);
    }
  }, 120_000);
});
