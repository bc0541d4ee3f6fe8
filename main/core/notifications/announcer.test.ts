import { describe, expect, it } from 'vitest';
import type { ConversationChange, ConversationChangeKind, NotifiedStatus } from '../domain/types.ts';
import type { KeyValueStore, NotificationRequest } from '../ports.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { RecordingNotifier } from '../../../test/fakes/recording-notifier.ts';
import { makeTask } from '../../../test/fakes/tasks.ts';
import { NotificationLedger } from './ledger.ts';
import { Announcer, type MutedTask, type AnnouncerOptions, type TerminalTransition, type TransitionSource } from './announcer.ts';
import { DEFAULT_NOTIFICATION_SETTINGS, notificationSettingsSchema, type NotificationSettings } from './settings.ts';

const NAMES: Record<string, string> = { a: 'Alice Martin', b: 'Bob Chen', c: 'Chidi Okafor', d: 'Dana Roy', e: 'Emil Berg' };

/** `tr('t1', 'a', 'failed')`: task t1 of contact a reached `failed`, seen live. */
function tr(id: string, contactId: string, status: NotifiedStatus = 'completed', source: TransitionSource = 'live'): TerminalTransition {
  return {
    task: makeTask({ id, contactId, title: `Title of ${id}`, status, result: status === 'completed' ? `Result of ${id}` : null, error: status === 'failed' ? `Error of ${id}` : null }),
    status,
    source,
  };
}

interface Harness {
  clock: FakeClock;
  store: MemoryStore;
  notifier: RecordingNotifier;
  logger: RecordingLogger;
  announcer: Announcer;
  muted: MutedTask[];
  ledger: NotificationLedger;
}

async function harness(options: Partial<AnnouncerOptions> = {}, store = new MemoryStore(), clock = new FakeClock('2026-11-21T12:00:00Z')): Promise<Harness> {
  const logger = new RecordingLogger();
  const ledger = await NotificationLedger.load({ store, clock, logger });
  const notifier = new RecordingNotifier();
  const muted: MutedTask[] = [];
  const announcer = new Announcer({
    notifier,
    ledger,
    clock,
    logger,
    notificationsEnabled: true,
    timeZone: 'UTC',
    // The timelines below are written for a 300 ms window (the default is shorter); the rules do not depend on its length.
    coalesceMs: 300,
    contactName: (id) => NAMES[id] ?? null,
    onMuted: (tasks) => muted.push(...tasks),
    ...options,
  });
  return { clock, store, notifier, logger, announcer, muted, ledger };
}

/** What a test cares about in a request: which kind, why, for whom, which tasks, how loud. */
function shape(request: NotificationRequest): string {
  switch (request.kind) {
    case 'task':
      return `task ${request.taskId}:${request.status} tag=${request.tag} ${request.urgency}`;
    case 'summary':
      return `summary/${request.reason} [${request.tasks.map((t) => `${t.taskId}:${t.status}`).join(' ')}] tag=${request.tag} ${request.urgency}`;
    case 'conversation':
      return `conversation ${request.changeId} tag=${request.tag}`;
  }
}

type Step = readonly [atMs: number, transitions: readonly TerminalTransition[]];

async function play(h: Harness, steps: readonly Step[], endMs = 2_000): Promise<void> {
  const start = h.clock.now();
  for (const [atMs, transitions] of steps) {
    await h.clock.advance(start + atMs - h.clock.now());
    h.announcer.offer(transitions);
    await h.announcer.idle();
  }
  await h.clock.advance(start + endMs - h.clock.now());
  await h.announcer.idle();
}

describe('Announcer: which notifications a batch gives', () => {
  it.each<[string, Partial<AnnouncerOptions>, readonly Step[], string[]]>([
    ['one completed task → one notification tagged with its contact', {}, [[0, [tr('t1', 'a')]]], ['task t1:completed tag=a normal']],
    ['one failed task → a critical notification', {}, [[0, [tr('t1', 'a', 'failed')]]], ['task t1:failed tag=a critical']],
    [
      'the same transition seen live, by reconcile and at startup → once',
      {},
      [
        [0, [tr('t1', 'a')]],
        [50, [tr('t1', 'a', 'completed', 'reconcile')]],
        [900, [tr('t1', 'a', 'completed', 'startup'), tr('t1', 'a')]],
      ],
      ['task t1:completed tag=a normal'],
    ],
    ['a duplicate inside one offer → once', {}, [[0, [tr('t1', 'a'), tr('t1', 'a')]]], ['task t1:completed tag=a normal']],
    [
      'several tasks of one contact in one batch → one contact summary',
      {},
      [[0, [tr('t1', 'a'), tr('t2', 'a', 'failed'), tr('t3', 'a')]]],
      ['summary/contact [t2:failed t1:completed t3:completed] tag=a critical'],
    ],
    [
      'leading edge: the first task goes out at once, the next one of the window at its end, replacing it (same tag)',
      {},
      [
        [0, [tr('t1', 'a')]],
        [100, [tr('t2', 'a')]],
      ],
      ['task t1:completed tag=a normal', 'task t2:completed tag=a normal'],
    ],
    [
      'without leading edge the window gathers both into one contact summary',
      { leadingEdge: false },
      [
        [0, [tr('t1', 'a')]],
        [100, [tr('t2', 'a')]],
      ],
      ['summary/contact [t1:completed t2:completed] tag=a normal'],
    ],
    [
      'three contacts in one batch → one notification each',
      { leadingEdge: false },
      [[0, [tr('t1', 'a'), tr('t2', 'b'), tr('t3', 'c'), tr('t4', 'c')]]],
      ['task t1:completed tag=a normal', 'task t2:completed tag=b normal', 'summary/contact [t3:completed t4:completed] tag=c normal'],
    ],
    [
      'more than three contacts in one batch → a single burst summary listing every task',
      { leadingEdge: false },
      [[0, [tr('t1', 'a'), tr('t2', 'b'), tr('t3', 'c'), tr('t4', 'd'), tr('t5', 'd', 'failed')]]],
      ['summary/burst [t5:failed t1:completed t2:completed t3:completed t4:completed] tag=summary:burst critical'],
    ],
    [
      'burst threshold is configurable',
      { leadingEdge: false, burstContacts: 1 },
      [[0, [tr('t1', 'a'), tr('t2', 'b')]]],
      ['summary/burst [t1:completed t2:completed] tag=summary:burst normal'],
    ],
    [
      'a burst arriving one by one: the first at once, the rest in one burst summary',
      {},
      [0, 20, 40, 60, 80].map((ms, i): Step => [ms, [tr(`t${i}`, 'abcde'[i]!)]]),
      ['task t0:completed tag=a normal', 'summary/burst [t1:completed t2:completed t3:completed t4:completed] tag=summary:burst normal'],
    ],
    [
      'tasks that finished while Beacon was closed → one "while you were away" summary, even for one task',
      {},
      [[0, [tr('t1', 'a', 'completed', 'startup')]]],
      ['summary/away [t1:completed] tag=summary:away normal'],
    ],
    [
      'many startup tasks over many contacts → still one away summary listing all',
      {},
      [
        [0, ['a', 'b', 'c', 'd', 'e'].flatMap((c, i) => [tr(`s${i}`, c, 'completed', 'startup'), tr(`f${i}`, c, 'failed', 'startup')])],
        [100, [tr('late', 'e', 'completed', 'startup')]],
      ],
      ['summary/away [f0:failed f1:failed f2:failed f3:failed f4:failed s0:completed s1:completed s2:completed s3:completed s4:completed late:completed] tag=summary:away critical'],
    ],
    [
      'startup and live transitions together: the away summary and the live notification are separate',
      {},
      [[0, [tr('s1', 'a', 'completed', 'startup'), tr('l1', 'b')]]],
      ['task l1:completed tag=b normal', 'summary/away [s1:completed] tag=summary:away normal'],
    ],
    [
      'a configurable window: a second task 400 ms later is its own flush with a 500 ms window',
      { leadingEdge: false, coalesceMs: 500 },
      [
        [0, [tr('t1', 'a')]],
        [400, [tr('t2', 'b')]],
      ],
      ['task t1:completed tag=a normal', 'task t2:completed tag=b normal'],
    ],
  ])('%s', async (_name, options, steps, expected) => {
    const h = await harness(options);
    await play(h, steps);
    expect(h.notifier.requests.map(shape)).toEqual(expected);
    // Every transition offered appears exactly once across notifications and summaries.
    const offered = new Set(steps.flatMap(([, ts]) => ts.map((t) => `${t.task.id}:${t.status}`)));
    expect(h.notifier.announced().sort()).toEqual([...offered].sort());
  });

  it('tells the user readable things: contact name, task title, the error or the result', async () => {
    const h = await harness();
    const long = 'x'.repeat(1000);
    h.announcer.offer([
      { task: makeTask({ id: 't1', contactId: 'a', title: 'Draft refund reply', status: 'failed', error: `CRM timeout ${long}` }), status: 'failed', source: 'live' },
    ]);
    await h.announcer.idle();
    const [request] = h.notifier.requests;
    expect(request?.title).toBe('⚠ Task failed · Alice Martin');
    expect(request?.body.startsWith('Draft refund reply\nError: CRM timeout')).toBe(true);
    expect(request!.body.length).toBeLessThan(400);
    expect(request?.body.endsWith('…')).toBe(true);
  });

  it.each<[string, NotifiedStatus[], string]>([
    ['all completed', ['completed', 'completed'], '2 tasks completed · Alice Martin'],
    ['some failed', ['completed', 'failed', 'failed'], '⚠ 2 of 3 tasks failed · Alice Martin'],
    ['all failed', ['failed', 'failed'], '⚠ 2 tasks failed · Alice Martin'],
  ])('a contact summary title says how many failed: %s', async (_name, statuses, title) => {
    const h = await harness();
    h.announcer.offer(statuses.map((status, i) => tr(`t${i}`, 'a', status)));
    await h.announcer.idle();
    expect(h.notifier.requests[0]?.title).toBe(title);
  });

  it('names an unknown contact sensibly', async () => {
    const h = await harness();
    h.announcer.offer([tr('t1', 'zz')]);
    await h.announcer.idle();
    expect(h.notifier.requests[0]?.title).toBe('Task completed · Unknown contact');
  });
});

describe('Announcer: muting loses nothing and replays nothing', () => {
  const night = { ...DEFAULT_NOTIFICATION_SETTINGS, quietHours: { start: '22:00', end: '07:00' } };

  it.each<[string, { enabled?: boolean; settings?: NotificationSettings; clockAt: string }, MutedTask['reason'] | null]>([
    ['notifications_enabled = false', { enabled: false, clockAt: '2026-11-21T12:00:00Z' }, 'disabled'],
    ['inside quiet hours (before midnight)', { settings: night, clockAt: '2026-11-21T23:30:00Z' }, 'quiet-hours'],
    ['inside quiet hours (after midnight)', { settings: night, clockAt: '2026-11-22T03:00:00Z' }, 'quiet-hours'],
    ['outside quiet hours', { settings: night, clockAt: '2026-11-22T07:00:00Z' }, null],
    ['paused', { settings: { ...DEFAULT_NOTIFICATION_SETTINGS, pausedUntil: Date.parse('2026-11-21T13:00:00Z') }, clockAt: '2026-11-21T12:00:00Z' }, 'paused'],
    ['pause over', { settings: { ...DEFAULT_NOTIFICATION_SETTINGS, pausedUntil: Date.parse('2026-11-21T13:00:00Z') }, clockAt: '2026-11-21T13:00:00Z' }, null],
  ])('%s', async (_name, { enabled = true, settings, clockAt }, reason) => {
    const h = await harness({ notificationsEnabled: enabled, ...(settings ? { settings } : {}) }, new MemoryStore(), new FakeClock(clockAt));
    await play(h, [[0, [tr('t1', 'a', 'failed'), tr('t2', 'b', 'completed', 'startup')]]]);
    if (reason === null) {
      expect(h.notifier.announced().sort()).toEqual(['t1:failed', 't2:completed']);
      expect(h.muted).toEqual([]);
    } else {
      expect(h.notifier.requests).toEqual([]);
      expect(h.muted.map((m) => `${m.taskId}:${m.status}:${m.reason}`).sort()).toEqual([`t1:failed:${reason}`, `t2:completed:${reason}`]);
      expect(h.ledger.outcomeOf('t1', 'failed')).toBe('muted');
    }
  });

  it('shows nothing of the muted ones when quiet hours end, but new ones again', async () => {
    const h = await harness({ settings: night }, new MemoryStore(), new FakeClock('2026-11-22T06:59:00Z'));
    h.announcer.offer([tr('night', 'a', 'failed')]);
    await h.clock.advance(2 * 60_000);
    h.announcer.offer([tr('night', 'a', 'failed', 'reconcile'), tr('morning', 'b')]);
    await h.clock.advance(1_000);
    expect(h.notifier.requests.map(shape)).toEqual(['task morning:completed tag=b normal']);
    expect(h.muted.map((m) => m.taskId)).toEqual(['night']);
  });

  it('does not show a muted task later when notifications are switched back on, even after a restart', async () => {
    const store = new MemoryStore();
    const first = await harness({ notificationsEnabled: false }, store);
    await play(first, [[0, [tr('t1', 'a')]]]);
    first.announcer.setNotificationsEnabled(true);
    first.announcer.offer([tr('t1', 'a', 'completed', 'reconcile')]);
    await first.announcer.close();
    const second = await harness({}, store);
    await play(second, [[0, [tr('t1', 'a', 'completed', 'startup')]]]);
    expect([...first.notifier.requests, ...second.notifier.requests]).toEqual([]);
  });

  it('applies a switch-off that happens while a batch is gathering', async () => {
    const h = await harness({ leadingEdge: false });
    h.announcer.offer([tr('t1', 'a')]);
    await h.clock.advance(100);
    h.announcer.setNotificationsEnabled(false);
    await h.clock.advance(1_000);
    expect(h.notifier.requests).toEqual([]);
    expect(h.muted.map((m) => m.reason)).toEqual(['disabled']);
  });

  it('honours settings changed live (quiet hours set now mute the next flush)', async () => {
    const h = await harness({}, new MemoryStore(), new FakeClock('2026-11-21T23:00:00Z'));
    h.announcer.offer([tr('t1', 'a')]);
    await h.clock.advance(1_000);
    h.announcer.setSettings(night);
    h.announcer.offer([tr('t2', 'a')]);
    await h.clock.advance(1_000);
    expect(h.notifier.announced()).toEqual(['t1:completed']);
    expect(h.muted.map((m) => m.taskId)).toEqual(['t2']);
  });
});

describe('Announcer: exactly once, durably', () => {
  it('does not repeat anything after a restart with the same store', async () => {
    const store = new MemoryStore();
    const first = await harness({}, store);
    await play(first, [[0, [tr('t1', 'a'), tr('t2', 'b', 'failed')]]]);
    await first.announcer.close();
    const second = await harness({}, store);
    await play(second, [[0, [tr('t1', 'a', 'completed', 'startup'), tr('t2', 'b', 'failed', 'startup'), tr('t3', 'c', 'completed', 'startup')]]]);
    expect(first.notifier.announced().sort()).toEqual(['t1:completed', 't2:failed']);
    expect(second.notifier.requests.map(shape)).toEqual(['summary/away [t3:completed] tag=summary:away normal']);
  });

  it('a re-run that fails after completing is a new (task, status) and is notified', async () => {
    const h = await harness();
    await play(h, [
      [0, [tr('t1', 'a')]],
      [500, [tr('t1', 'a', 'failed')]],
    ]);
    expect(h.notifier.announced()).toEqual(['t1:completed', 't1:failed']);
  });

  it('shows nothing until the ledger write is durable', async () => {
    const memory = new MemoryStore();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: KeyValueStore = { get: (k) => memory.get(k), set: async (k, v) => (await gate, memory.set(k, v)), delete: (k) => memory.delete(k) };
    const h = await harness({}, slow as MemoryStore);
    h.announcer.offer([tr('t1', 'a')]);
    await h.clock.advance(1_000);
    expect(h.notifier.requests).toEqual([]);
    release();
    await h.announcer.idle();
    expect(h.notifier.announced()).toEqual(['t1:completed']);
    expect(await memory.get('notification-ledger')).toMatchObject({ entries: [{ taskId: 't1', status: 'completed', outcome: 'shown' }] });
  });

  it('still shows (and logs) when the ledger cannot be written', async () => {
    const h = await harness();
    h.store.failNextSet = new Error('EROFS');
    h.announcer.offer([tr('t1', 'a')]);
    await h.announcer.idle();
    expect(h.notifier.announced()).toEqual(['t1:completed']);
    expect(h.logger.at('error').map((e) => e.message)).toEqual(['notification ledger could not be written']);
  });

  it('a disk that stays full: every toast still shows exactly once, the ledger says it is failing and keeps retrying', async () => {
    const h = await harness();
    h.store.failAllSets = new Error('ENOSPC: no space left on device');
    for (let i = 0; i < 5; i += 1) {
      h.announcer.offer([tr(`t${i}`, 'abcde'[i]!)]);
      await h.clock.advance(400);
      // Seen again (a reconcile, a rejoin): still known within the run.
      h.announcer.offer([tr(`t${i}`, 'abcde'[i]!, 'completed', 'reconcile')]);
      await h.clock.advance(400);
    }
    await h.announcer.idle();
    expect(h.notifier.announced().sort()).toEqual(['t0:completed', 't1:completed', 't2:completed', 't3:completed', 't4:completed']);
    expect(h.ledger.failing).toBe(true);
    expect(h.ledger.writeFailures).toBeGreaterThan(0);
    h.store.failAllSets = undefined;
    await h.clock.advance(120_000);
    expect(h.ledger.failing).toBe(false);
    const reloaded = await NotificationLedger.load({ store: h.store, clock: h.clock });
    expect(['t0', 't1', 't2', 't3', 't4'].every((id) => reloaded.has(id, 'completed'))).toBe(true);
    h.ledger.dispose();
  });

  it('sign-out: what is gathered is dropped, nothing more is shown for that user, and every notification is closed', async () => {
    const h = await harness({ leadingEdge: false });
    h.announcer.offer([tr('t1', 'a'), tr('t2', 'b')]);
    h.announcer.discardAndCloseAll();
    await h.clock.advance(1_000);
    await h.announcer.idle();
    expect(h.notifier.requests).toEqual([]);
    expect(h.notifier.closedAll).toBe(1);
    // The same transitions after a new sign-in are news again (they were never shown).
    h.announcer.offer([tr('t1', 'a')]);
    await h.clock.advance(1_000);
    expect(h.notifier.announced()).toEqual(['t1:completed']);
  });

  it('keeps going when the notifier throws', async () => {
    const h = await harness({ leadingEdge: false });
    const shown: string[] = [];
    const flaky = { show: (r: NotificationRequest) => (r.tag === 'a' ? (() => { throw new Error('toast failed'); })() : shown.push(r.tag)) };
    const announcer = new Announcer({ notifier: flaky, ledger: h.ledger, clock: h.clock, logger: h.logger, notificationsEnabled: true });
    announcer.offer([tr('t1', 'a'), tr('t2', 'b')]);
    await h.clock.advance(1_000);
    expect(shown).toEqual(['b']);
    expect(h.logger.at('error')).toHaveLength(1);
  });

  it('markSeen records a first-run baseline without telling anyone', async () => {
    const h = await harness();
    await h.announcer.markSeen([tr('old', 'a')]);
    await play(h, [[0, [tr('old', 'a', 'completed', 'startup')]]]);
    expect(h.notifier.requests).toEqual([]);
    expect(h.ledger.outcomeOf('old', 'completed')).toBe('seen');
  });

  it('drops a gathered transition that a baseline recorded before the flush', async () => {
    const h = await harness({ leadingEdge: false });
    h.announcer.offer([tr('t1', 'a', 'completed', 'startup')]);
    await h.announcer.markSeen([tr('t1', 'a')]);
    await h.clock.advance(1_000);
    expect(h.notifier.requests).toEqual([]);
  });

  it('flushes what is pending on close and leaves no timer behind', async () => {
    const h = await harness({ leadingEdge: false });
    h.announcer.offer([tr('t1', 'a')]);
    await h.announcer.close();
    expect(h.notifier.announced()).toEqual(['t1:completed']);
    expect(h.clock.pendingTimers).toBe(0);
    h.announcer.offer([tr('t2', 'a')]);
    await h.clock.advance(1_000);
    expect(h.notifier.announced()).toEqual(['t1:completed']);
  });

  it('closes the window when nothing more arrives (no timer left running)', async () => {
    const h = await harness();
    await play(h, [[0, [tr('t1', 'a')]]]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a sustained stream is flushed at most once per window and loses nothing', async () => {
    const h = await harness();
    const steps: Step[] = Array.from({ length: 40 }, (_, i) => [i * 50, [tr(`t${i}`, 'abcde'[i % 5]!)]]);
    await play(h, steps, 5_000);
    expect(h.notifier.announced().sort()).toEqual(steps.map(([, [t]]) => `${t!.task.id}:completed`).sort());
    // 2 s of arrivals, 300 ms windows: the leading flush plus one per window.
    expect(h.notifier.requests.length).toBeLessThanOrEqual(1 + Math.ceil(2_000 / 300));
  });
});

describe('Announcer: conversation changes', () => {
  const change = (id: string, kind: ConversationChangeKind, contactId = 'a'): ConversationChange => ({
    id,
    kind,
    contactId,
    conversationId: 'conv-1',
    at: '2026-11-21T12:00:00Z',
    summary: `Summary of ${id}`,
  });
  const optIn = (...kinds: ConversationChangeKind[]): NotificationSettings => ({
    ...DEFAULT_NOTIFICATION_SETTINGS,
    conversationKinds: { ...DEFAULT_NOTIFICATION_SETTINGS.conversationKinds, ...Object.fromEntries(kinds.map((k) => [k, true])) },
  });

  it.each<[string, NotificationSettings, ConversationChange[], TransitionSource, string[]]>([
    ['off by default', DEFAULT_NOTIFICATION_SETTINGS, [change('n1', 'note'), change('m1', 'metadata')], 'live', []],
    ['only opted-in kinds', optIn('note'), [change('n1', 'note'), change('l1', 'label-added')], 'live', ['conversation n1 tag=conversation:a']],
    ['a change seen twice → once', optIn('note'), [change('n1', 'note'), change('n1', 'note')], 'reconcile', ['conversation n1 tag=conversation:a']],
    ['never from the startup snapshot', optIn('note'), [change('n1', 'note')], 'startup', []],
    [
      'one per contact, the latest named',
      optIn('note', 'label-added'),
      [change('n1', 'note'), change('l1', 'label-added'), change('n2', 'note', 'b')],
      'live',
      ['conversation l1 tag=conversation:a', 'conversation n2 tag=conversation:b'],
    ],
  ])('%s', async (_name, settings, changes, source, expected) => {
    const h = await harness({ settings, leadingEdge: false });
    h.announcer.offerConversation(changes, source);
    await h.clock.advance(1_000);
    expect(h.notifier.requests.map(shape)).toEqual(expected);
  });

  it('stays silent while muted', async () => {
    const h = await harness({ settings: optIn('note'), notificationsEnabled: false });
    h.announcer.offerConversation([change('n1', 'note')], 'live');
    await h.clock.advance(1_000);
    expect(h.notifier.requests).toEqual([]);
  });

  it('reads kind opt-ins from stored settings, all off when absent', () => {
    expect(notificationSettingsSchema.parse({})).toEqual(DEFAULT_NOTIFICATION_SETTINGS);
    expect(notificationSettingsSchema.parse({ conversationKinds: { note: true } }).conversationKinds.note).toBe(true);
    expect(notificationSettingsSchema.safeParse({ quietHours: { start: '25:00', end: '07:00' } }).success).toBe(false);
  });
});
