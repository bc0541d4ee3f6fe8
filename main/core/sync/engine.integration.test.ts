/**
 * The sync engine with the real supabase-js client against the local stack
 * (real PostgreSQL, logical replication, the Realtime wire protocol), under
 * the faults the stack can inject.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../../supabase/local/stack.ts';
import type { Health } from '../domain/types.ts';
import type { Clock } from '../ports.ts';
import type { RowChange } from '../payloads/change.ts';
import type { Rejection } from '../payloads/rejection.ts';
import type { Snapshot } from '../payloads/snapshot.ts';
import type { WebSocketConstructor } from '../session/instrumentation.ts';
import { Session } from '../session/session.ts';
import { MemorySecretStore } from '../storage/memory-store.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { SyncEngine, type HealthInfo, type SnapshotReason, type SyncEngineOptions } from './engine.ts';
import { SpyClock } from '../../../test/fakes/spy-clock.ts';
import { sleep, waitFor } from '../../../test/wait-for.ts';

type Owner = 'a' | 'b';

interface Agent {
  readonly session: Session;
  readonly engine: SyncEngine;
  readonly logger: RecordingLogger;
  readonly changes: RowChange[];
  readonly snapshots: Array<{ reason: SnapshotReason; snapshot: Snapshot }>;
  readonly health: Array<{ state: Health; info: HealthInfo }>;
  readonly rejections: Array<{ rejection: Rejection; source: 'change' | 'snapshot' }>;
  state(): Health | undefined;
  stop(): Promise<void>;
}

const agentsToStop: Agent[] = [];
let stack: Stack;

const ids = (owner: Owner) => ({
  user: `${owner}0000000-0000-4000-8000-000000000001`,
  aiAgent: `${owner}1000000-0000-4000-8000-000000000001`,
  contact: `${owner}2000000-0000-4000-8000-000000000001`,
  conversation: `${owner}7000000-0000-4000-8000-000000000001`,
});

async function sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await stack.context.db.pool.query<T>(text, params)).rows;
}

async function newTask(owner: Owner, status = 'in_progress'): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `insert into public.agent_tasks (agent_id, contact_id, title, status) values ($1, $2, 'Integration task', $3) returning id`,
    [ids(owner).aiAgent, ids(owner).contact, status],
  );
  return row!.id;
}

async function setStatus(id: string, status: string): Promise<void> {
  await sql('update public.agent_tasks set status = $2 where id = $1', [id, status]);
}

function taskChange(agent: Agent, id: string, status: string): RowChange | undefined {
  return agent.changes.find((c) => c.table === 'agent_tasks' && c.eventType !== 'DELETE' && c.row.id === id && c.row.status === status);
}

interface AgentOptions extends Partial<SyncEngineOptions> {
  readonly clock?: Clock;
  readonly heartbeatIntervalMs?: number;
  /** Simulated network: while it says down, HTTP requests fail and WebSockets cannot connect. */
  readonly network?: { down: boolean };
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startAgent(owner: Owner, options: AgentOptions = {}): Promise<Agent> {
  const logger = new RecordingLogger();
  const { heartbeatIntervalMs, network, ...engineOptions } = options;
  let transport: WebSocketConstructor = globalThis.WebSocket;
  let fetchThrough: typeof fetch | undefined;
  if (network) {
    const net = network;
    const unreachable = `ws://127.0.0.1:${await deadPort()}`;
    const reachable = `ws://${new URL(stack.url).host}`;
    transport = class extends globalThis.WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(net.down ? String(url).replace(reachable, unreachable) : url, protocols);
      }
    };
    fetchThrough = (input, init) => (net.down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
  }
  const session = new Session({
    url: stack.url,
    anonKey: stack.anonKey,
    secretStore: new MemorySecretStore(),
    WebSocket: transport,
    logger,
    ...(heartbeatIntervalMs ? { heartbeatIntervalMs } : {}),
    ...(fetchThrough ? { fetch: fetchThrough } : {}),
  });
  const snapshots: Agent['snapshots'] = [];
  const engine = new SyncEngine({
    session,
    logger,
    // What the core does: the last snapshot's server time is the next cursor.
    cursors: () => {
      const last = snapshots.at(-1)?.snapshot.serverTime ?? null;
      return { finishedSince: last, changesSince: last };
    },
    pollIntervalMs: 2_000,
    pollJitterMs: 400,
    ...engineOptions,
  });
  const agent: Agent = {
    session,
    engine,
    logger,
    changes: [],
    snapshots,
    health: [],
    rejections: [],
    state: () => agent.health.at(-1)?.state,
    stop: async () => {
      await engine.stop();
      await session.stop();
    },
  };
  engine.onChange((change) => agent.changes.push(change));
  engine.onSnapshot((snapshot, reason) => snapshots.push({ reason, snapshot }));
  engine.onHealth((state, info) => agent.health.push({ state, info }));
  engine.onRejected((rejection, source) => agent.rejections.push({ rejection, source }));
  agentsToStop.push(agent);
  engine.start();
  const user = stack.demoUsers.find((u) => u.email === `agent.${owner}@beacon.local`)!;
  const signedIn = await session.signIn(user.email, user.password);
  expect(signedIn.ok).toBe(true);
  return agent;
}

async function live(agent: Agent, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => agent.state() === 'live', 'health live', timeoutMs);
}

beforeAll(async () => {
  stack = await createStack();
});

afterEach(async () => {
  for (const agent of agentsToStop.splice(0)) await agent.stop();
  await stack.faults.apply({ action: 'clear' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('SyncEngine on the local stack', () => {
  it('reconciles after SUBSCRIBED, goes live, and delivers a committed task update without any REST call', async () => {
    const clock = new SpyClock();
    const agent = await startAgent('a', { clock, heartbeatIntervalMs: 1_000 });
    await live(agent);
    const liveSince = Date.now();
    const first = agent.snapshots.find((s) => s.reason === 'subscribed');
    expect(first).toBeDefined();
    expect(first!.snapshot.profile).toMatchObject({ id: ids('a').user, notificationsEnabled: true });
    expect(first!.snapshot.activeTasks.length).toBeGreaterThan(0);
    expect(agent.session.state()).toEqual({ signedIn: true, email: 'agent.a@beacon.local', displayName: 'Avery Adams' });

    const restBefore = agent.engine.stats().restCalls;
    const id = await newTask('a');
    await setStatus(id, 'completed');
    const change = await waitFor(() => taskChange(agent, id, 'completed'), 'the completed task');
    expect(change).toMatchObject({ table: 'agent_tasks', eventType: 'UPDATE', row: { id, status: 'completed', contactId: ids('a').contact } });
    expect(change.commitTimestamp).toEqual(expect.any(String));
    expect(taskChange(agent, id, 'in_progress')).toMatchObject({ eventType: 'INSERT' });

    await sleep(3 * agent.session.heartbeatIntervalMs);
    const stats = agent.engine.stats();
    expect(stats).toMatchObject({ channels: 1, sockets: 1, snapshotFailures: 0, rejected: 0 });
    expect(stats.restCalls).toBe(restBefore);
    expect(agent.state()).toBe('live');
    // While live, only the watchdog runs a timer, and never faster than the heartbeat.
    const timersWhileLive = clock.since(liveSince);
    expect(timersWhileLive.length).toBeGreaterThan(0);
    expect(timersWhileLive.filter((t) => t.ms < agent.session.heartbeatIntervalMs)).toEqual([]);
  });

  it("never gives agent A agent B's rows, live or in snapshots", async () => {
    const agent = await startAgent('a');
    await live(agent);

    const bTask = await newTask('b');
    await setStatus(bTask, 'completed');
    const [bNote] = await sql<{ id: string }>(
      `insert into public.conversation_notes (conversation_id, contact_id, author_id, body) values ($1, $2, $3, 'B only') returning id`,
      [ids('b').conversation, ids('b').contact, ids('b').user],
    );
    const [bLabel] = await sql<{ id: string }>(
      `insert into public.conversation_contact_labels (conversation_id, contact_id, label) values ($1, $2, 'b-only') returning id`,
      [ids('b').conversation, ids('b').contact],
    );
    await sql(`update public.conversation_metadata set priority = 'urgent' where contact_id = $1`, [ids('b').contact]);
    await sql(`update public.contacts set company = 'B Corp' where id = $1`, [ids('b').contact]);
    await sql(`update public.user_profiles set display_name = 'B renamed' where id = $1`, [ids('b').user]);

    // A's own changes, committed last: once they have arrived, B's would have too. (They also show
    // that the owner filters on contacts and user_profiles let A's own rows through.)
    await sql(`update public.contacts set company = 'A Corp' where id = $1`, [ids('a').contact]);
    await sql(`update public.user_profiles set notifications_enabled = false where id = $1`, [ids('a').user]);
    const aTask = await newTask('a');
    await setStatus(aTask, 'failed');
    await waitFor(() => taskChange(agent, aTask, 'failed'), "A's own task change");
    await waitFor(
      () => agent.changes.find((c) => c.table === 'contacts' && c.eventType === 'UPDATE' && c.row.id === ids('a').contact && c.row.company === 'A Corp'),
      "A's contact change",
    );
    await waitFor(
      () => agent.changes.find((c) => c.table === 'user_profiles' && c.eventType === 'UPDATE' && c.row.id === ids('a').user && !c.row.notificationsEnabled),
      "A's profile change",
    );
    await sql(`update public.user_profiles set notifications_enabled = true where id = $1`, [ids('a').user]);
    await agent.engine.requestSnapshot('requested');

    const bIds = new Set([bTask, bNote!.id, bLabel!.id, ids('b').contact, ids('b').user]);
    const received = agent.changes.map((c) => (c.eventType === 'DELETE' ? c.id : c.row.id));
    expect(received.filter((id) => bIds.has(id))).toEqual([]);
    expect(agent.changes.filter((c) => c.table === 'conversation_metadata' && c.eventType !== 'DELETE' && c.row.contactId === ids('b').contact)).toEqual([]);
    for (const { snapshot } of agent.snapshots) {
      const rowsOfB = [
        ...snapshot.activeTasks.filter((t) => t.agentId.startsWith('b')),
        ...snapshot.finishedTasks.filter((t) => t.agentId.startsWith('b')),
        ...snapshot.contacts.filter((c) => c.id.startsWith('b')),
        ...snapshot.conversation.notes.filter((n) => n.contactId.startsWith('b')),
        ...snapshot.conversation.labels.filter((l) => l.contactId.startsWith('b')),
        ...snapshot.conversation.metadata.filter((m) => m.contactId.startsWith('b')),
      ];
      expect(rowsOfB).toEqual([]);
      expect(snapshot.profile?.id).toBe(ids('a').user);
    }
  });

  it('drop-sockets: polls while disconnected, then goes live again by itself after a reconcile', async () => {
    const agent = await startAgent('a');
    await live(agent);
    const marks = { health: agent.health.length, snapshots: agent.snapshots.length };

    await stack.faults.apply({ action: 'drop-sockets' });
    const task = await newTask('a');
    await setStatus(task, 'completed');

    await waitFor(() => agent.health.slice(marks.health).find((h) => h.state === 'polling'), 'polling');
    await waitFor(() => agent.health.slice(marks.health).some((h) => h.state === 'polling') && agent.state() === 'live', 'live again');
    const after = agent.snapshots.slice(marks.snapshots);
    expect(after.some((s) => s.reason === 'subscribed')).toBe(true);
    // The change made while the socket was down is there, live or through a snapshot.
    const seen = taskChange(agent, task, 'completed') ?? after.find((s) => s.snapshot.finishedTasks.some((t) => t.id === task && t.status === 'completed'));
    expect(seen).toBeDefined();
    expect(agent.engine.stats()).toMatchObject({ channels: 1, sockets: 1, channelsCreated: 1 });

    // Polling has stopped: no REST call for a while once live.
    const rest = agent.engine.stats().restCalls;
    await sleep(3_000);
    expect(agent.engine.stats().restCalls).toBe(rest);
  });

  // How fast (polling within 10 s, the first poll jittered over a few seconds) is proven in virtual time in
  // engine.test.ts and engine-lifecycle.test.ts; on real sockets this shows that it happens.
  it('silence-heartbeats: falls back to polling, polls, and is live again when heartbeats return', async () => {
    const agent = await startAgent('a');
    await live(agent);
    const mark = { health: agent.health.length, snapshots: agent.snapshots.length };
    await stack.faults.apply({ action: 'silence-heartbeats' });
    const polling = await waitFor(() => agent.health.slice(mark.health).find((h) => h.state === 'polling'), 'polling', 30_000);
    expect(polling.info.code).toBe('realtime-down');
    // The first poll runs within 10 s of losing realtime (jittered, so a fleet does not poll in one wave).
    await waitFor(() => agent.snapshots.slice(mark.snapshots).find((s) => s.reason === 'poll'), 'a polled snapshot', 30_000);

    await stack.faults.apply({ action: 'clear' });
    // Back to live after the hysteresis a lost link earns (up to 30 s) and a jittered reconnect.
    await live(agent, 75_000);
  }, 150_000);

  it('expire-tokens: the channel is recreated with a fresh token and changes flow again, with no duplicate channel', async () => {
    const agent = await startAgent('a');
    await live(agent);
    expect(agent.engine.stats().channelsCreated).toBe(1);

    await stack.faults.apply({ action: 'expire-tokens', userId: ids('a').user });
    await waitFor(() => agent.engine.stats().channelsCreated === 2 && agent.state() === 'live', 'a new channel, live');
    expect(agent.logger.entries.some((e) => /Token has expired/.test(String(e.fields?.message ?? e.fields?.reason ?? '')))).toBe(true);

    const task = await newTask('a');
    await setStatus(task, 'completed');
    await waitFor(() => taskChange(agent, task, 'completed'), 'a change after the new channel');
    expect(agent.session.client.getChannels()).toHaveLength(1);
    expect(agent.engine.stats().sockets).toBe(1);
    expect(agent.session.state().signedIn).toBe(true);
  });

  it('pause-replication with dropped deliveries: the lost change comes with the next reconcile', async () => {
    const agent = await startAgent('a');
    await live(agent);
    const task = await newTask('a');
    await waitFor(() => taskChange(agent, task, 'in_progress'), 'the new task');

    await stack.faults.apply({ action: 'pause-replication' });
    await setStatus(task, 'completed');
    await sleep(300);
    await stack.faults.apply({ action: 'resume-replication', drop: true });
    await sleep(500);
    expect(taskChange(agent, task, 'completed')).toBeUndefined();
    expect(agent.state()).toBe('live');

    // The laptop wakes up (or the screen unlocks): Beacon reconciles and finds it.
    const mark = agent.snapshots.length;
    agent.engine.resume();
    const recovered = await waitFor(
      () => agent.snapshots.slice(mark).find((s) => s.snapshot.finishedTasks.some((t) => t.id === task && t.status === 'completed')),
      'the lost change in a reconcile snapshot',
    );
    expect(['resume', 'subscribed']).toContain(recovered.reason);
    await live(agent);
  });

  it('refuses an oversized record, logs it and refetches instead of guessing', async () => {
    const agent = await startAgent('a');
    await live(agent);
    const task = await newTask('a');
    const marks = { snapshots: agent.snapshots.length };
    await sql(`update public.agent_tasks set status = 'completed', result = repeat('x', 300 * 1024) where id = $1`, [task]);

    const rejected = await waitFor(() => agent.rejections.find((r) => r.source === 'change' && r.rejection.id === task), 'the rejection');
    expect(rejected.rejection.reason).toBe('oversized');
    await waitFor(() => agent.snapshots.slice(marks.snapshots).find((s) => s.reason === 'rejected-change'), 'a refetch');
    expect(taskChange(agent, task, 'completed')).toBeUndefined();
    expect(agent.logger.at('warn').some((e) => e.message.includes('rejected a realtime change'))).toBe(true);
    await live(agent);
  });

  it('realtime down and the server unreachable: offline; back to live by itself when the network returns', async () => {
    const network = { down: false };
    const agent = await startAgent('a', { network, heartbeatIntervalMs: 1_000 });
    await live(agent);
    network.down = true;
    await stack.faults.apply({ action: 'drop-sockets' });
    const offline = await waitFor(() => agent.health.find((h) => h.state === 'offline'), 'offline');
    expect(offline.info.code).toBe('server-unreachable');

    const task = await newTask('a');
    await setStatus(task, 'failed');
    network.down = false;
    await live(agent, 20_000);
    const caughtUp = taskChange(agent, task, 'failed') ?? agent.snapshots.find((s) => s.snapshot.finishedTasks.some((t) => t.id === task));
    expect(caughtUp).toBeDefined();
  }, 30_000);

  it('resume, unlock and network return each reconcile; the OS going offline shows offline', async () => {
    const agent = await startAgent('a');
    await live(agent);
    agent.engine.unlock();
    await waitFor(() => agent.snapshots.find((s) => s.reason === 'unlock'), 'unlock snapshot');
    agent.engine.online(false);
    expect(agent.state()).toBe('offline');
    expect(agent.health.at(-1)?.info.code).toBe('os-offline');
    agent.engine.online(true);
    await waitFor(() => agent.snapshots.find((s) => s.reason === 'online'), 'online snapshot');
    await live(agent);
    agent.engine.suspend();
    agent.engine.resume();
    await waitFor(() => agent.snapshots.find((s) => s.reason === 'resume'), 'resume snapshot');
    await live(agent);
  });

  it('stop leaves no channel, no open socket and no pending timer', async () => {
    const clock = new FakeClock(Date.now());
    const agent = await startAgent('a', { clock });
    await live(agent);
    expect(clock.pendingTimers).toBeGreaterThan(0);

    await agent.engine.stop();
    expect(agent.session.client.getChannels()).toEqual([]);
    expect(agent.session.client.realtime.connectionState()).toBe('closed');
    await waitFor(() => agent.engine.stats().sockets === 0, 'the socket closed');
    expect(clock.pendingTimers).toBe(0);
  });

  it('sign-out tears everything down and reports signed-out', async () => {
    const clock = new FakeClock(Date.now());
    const agent = await startAgent('a', { clock });
    await live(agent);

    await agent.session.signOut();
    expect(agent.state()).toBe('signed-out');
    expect(agent.health.at(-1)?.info.reason).toBe('Signed out.');
    await waitFor(() => agent.session.client.getChannels().length === 0 && agent.engine.stats().sockets === 0, 'no channel, no socket');
    expect(agent.session.client.realtime.connectionState()).toBe('closed');
    expect(clock.pendingTimers).toBe(0);

    // Signing in again resumes sync.
    const user = stack.demoUsers[0]!;
    await agent.session.signIn(user.email, user.password);
    await live(agent);
    expect(agent.engine.stats().channels).toBe(1);
  });
});
