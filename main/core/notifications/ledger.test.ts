import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../ports.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { DEFAULT_LEDGER_KEY, NotificationLedger } from './ledger.ts';

const DAY = 86_400_000;

async function fresh<S extends KeyValueStore = MemoryStore>(store: S = new MemoryStore() as unknown as S, clock = new FakeClock()) {
  const logger = new RecordingLogger();
  const ledger = await NotificationLedger.load({ store, clock, logger });
  return { store, clock, logger, ledger };
}

describe('NotificationLedger', () => {
  it('survives a restart: what was recorded is known to the next process', async () => {
    const { store, clock, ledger } = await fresh();
    await ledger.record([
      { taskId: 't1', status: 'completed', outcome: 'shown' },
      { taskId: 't2', status: 'failed', outcome: 'muted' },
    ]);
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.has('t1', 'completed')).toBe(true);
    expect(reloaded.outcomeOf('t2', 'failed')).toBe('muted');
    expect(reloaded.has('t1', 'failed')).toBe(false);
    expect(reloaded.has('t3', 'completed')).toBe(false);
  });

  it('knows a record as soon as record() returns, before the write completes', async () => {
    const { ledger } = await fresh();
    const written = ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }]);
    expect(ledger.has('t1', 'completed')).toBe(true);
    await written;
  });

  it('keeps every record when many are issued without waiting (writes are serialized, none lost)', async () => {
    const { store, clock, ledger } = await fresh();
    await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.record([{ taskId: `t${i}`, status: 'completed', outcome: 'shown' }])));
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.size).toBe(50);
    expect(store.writes.length).toBeLessThan(50);
  });

  it.each<[string, unknown]>([
    ['not an object', 'garbage'],
    ['a number', 42],
    ['null', null],
    ['an unknown version', { version: 3, cursor: null, entries: [] }],
    ['entries not an array', { version: 1, cursor: null, entries: {} }],
    ['an entry with an unknown status', { version: 1, cursor: null, entries: [{ taskId: 't1', status: 'cancelled', outcome: 'shown', at: 1 }] }],
    ['an entry without a task id', { version: 1, cursor: null, entries: [{ taskId: '', status: 'completed', outcome: 'shown', at: 1 }] }],
  ])('starts empty with a warning when the stored value is %s', async (_name, value) => {
    const store = new MemoryStore();
    await store.set(DEFAULT_LEDGER_KEY, value);
    const { ledger, logger } = await fresh(store);
    expect(ledger.size).toBe(0);
    expect(ledger.cursor).toBeNull();
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('starts empty with a warning when the store cannot be read', async () => {
    const store: KeyValueStore = {
      get: () => Promise.reject(new Error('EIO')),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    };
    const { ledger, logger } = await fresh(store);
    expect(ledger.size).toBe(0);
    expect(logger.at('warn')[0]?.message).toMatch(/could not be read/);
  });

  it('drops entries not seen for the retention period, keeps touched ones', async () => {
    const { store, clock, ledger } = await fresh();
    await ledger.record([
      { taskId: 'old', status: 'completed', outcome: 'shown' },
      { taskId: 'touched', status: 'completed', outcome: 'shown' },
    ]);
    clock.set(clock.now() + 20 * DAY);
    ledger.touch('touched', 'completed');
    await ledger.record([{ taskId: 'recent', status: 'failed', outcome: 'shown' }]);
    clock.set(clock.now() + 15 * DAY);
    const { ledger: reloaded } = await fresh(store, clock);
    expect([reloaded.has('old', 'completed'), reloaded.has('touched', 'completed'), reloaded.has('recent', 'failed')]).toEqual([false, true, true]);
  });

  it('stays within maxEntries, forgetting the least recently seen', async () => {
    const store = new MemoryStore();
    const clock = new FakeClock();
    const ledger = await NotificationLedger.load({ store, clock, maxEntries: 3 });
    for (let i = 0; i < 5; i += 1) {
      clock.set(clock.now() + 1000);
      await ledger.record([{ taskId: `t${i}`, status: 'completed', outcome: 'shown' }]);
    }
    expect(ledger.size).toBe(3);
    expect(ledger.has('t0', 'completed')).toBe(false);
    expect(ledger.has('t4', 'completed')).toBe(true);
  });

  it('moves the cursor forward only, and persists it', async () => {
    const { store, clock, ledger } = await fresh();
    await ledger.advanceCursor('2026-11-21T10:00:00.000002+00:00');
    await ledger.advanceCursor('2026-11-21T10:00:00.000001+00:00');
    expect(ledger.cursor).toBe('2026-11-21T10:00:00.000002+00:00');
    await expect(ledger.advanceCursor('not a time')).rejects.toThrow(/not a timestamp/);
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.cursor).toBe('2026-11-21T10:00:00.000002+00:00');
  });

  it('keeps a record in memory and logs when the write fails, and writes it with the next one', async () => {
    const { store, clock, ledger, logger } = await fresh();
    store.failNextSet = new Error('ENOSPC');
    await expect(ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }])).rejects.toThrow('ENOSPC');
    expect(ledger.has('t1', 'completed')).toBe(true);
    expect(logger.at('error')).toHaveLength(1);
    await ledger.record([{ taskId: 't2', status: 'completed', outcome: 'shown' }]);
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.has('t1', 'completed') && reloaded.has('t2', 'completed')).toBe(true);
  });

  it('a corrupt (truncated) newest generation is kept aside, reported, and the last good generation keeps the cursor', async () => {
    const { store, clock, ledger } = await fresh();
    await ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }]); // generation 1 → main key
    await ledger.advanceCursor('2026-11-21T10:00:00.000000+00:00'); // generation 2 → .b
    await ledger.record([{ taskId: 't2', status: 'completed', outcome: 'shown' }]); // generation 3 → main key
    store.setRaw(DEFAULT_LEDGER_KEY, '{"version":2,"generation":3,"cursor":"2026-11-21T1'); // torn write / bad sector
    const { ledger: reloaded, logger } = await fresh(store, clock);
    expect(reloaded.cursor).toBe('2026-11-21T10:00:00.000000+00:00');
    expect(reloaded.has('t1', 'completed')).toBe(true);
    expect(reloaded.problems).toHaveLength(1);
    expect(reloaded.problems[0]!.message).toMatch(/damaged/);
    expect(store.keys()).toContain(`${DEFAULT_LEDGER_KEY}.corrupt`);
    expect(logger.at('warn').some((e) => /last good generation/.test(e.message))).toBe(true);
    // The next write goes to the damaged slot, never over the good one.
    await reloaded.record([{ taskId: 't3', status: 'failed', outcome: 'shown' }]);
    const { ledger: third } = await fresh(store, clock);
    expect(third.has('t3', 'failed') && third.has('t1', 'completed')).toBe(true);
    expect(third.problems).toHaveLength(0);
  });

  it('a clean close writes both generations: damage to either while Beacon is closed loses nothing', async () => {
    for (const damaged of [DEFAULT_LEDGER_KEY, `${DEFAULT_LEDGER_KEY}.b`]) {
      const { store, clock, ledger } = await fresh();
      await ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }]);
      await ledger.advanceCursor('2026-11-21T10:00:00.000000+00:00');
      await ledger.record([{ taskId: 't2', status: 'failed', outcome: 'shown' }]);
      await ledger.close();
      store.setRaw(damaged, '{"version":2,"gener');
      const { ledger: reloaded } = await fresh(store, clock);
      expect(reloaded.has('t1', 'completed') && reloaded.has('t2', 'failed'), damaged).toBe(true);
      expect(reloaded.cursor).toBe('2026-11-21T10:00:00.000000+00:00');
      expect(reloaded.problems).toHaveLength(1);
    }
  });

  it('a wrong-schema ledger is never overwritten without a backup', async () => {
    const store = new MemoryStore();
    const foreign = { version: 9, something: 'else', entries: 'x' };
    await store.set(DEFAULT_LEDGER_KEY, foreign);
    const { ledger, clock } = await fresh(store);
    expect(ledger.problems[0]?.backup).toMatch(/^notification-ledger\.corrupt-/);
    expect(await store.get(ledger.problems[0]!.backup!)).toEqual(foreign);
    await ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }]);
    await ledger.record([{ taskId: 't2', status: 'completed', outcome: 'shown' }]);
    expect(await store.get(ledger.problems[0]!.backup!)).toEqual(foreign);
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.size).toBe(2);
  });

  it('a full disk: failing is reported, writes are retried with back-off, and it clears once a write succeeds', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const ledger = await NotificationLedger.load({ store, clock, random: () => 0.5 });
    const states: boolean[] = [];
    ledger.onFailingChange((failing) => states.push(failing));
    store.failAllSets = new Error('ENOSPC: no space left on device');
    await expect(ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }])).rejects.toThrow('ENOSPC');
    expect(ledger.failing).toBe(true);
    expect(ledger.has('t1', 'completed')).toBe(true); // never twice within the run
    await clock.advance(120_000);
    const failures = ledger.writeFailures;
    expect(failures).toBeGreaterThan(2); // retried
    expect(failures).toBeLessThan(12); // with back-off, not in a loop
    store.failAllSets = undefined;
    await clock.advance(61_000);
    expect(ledger.failing).toBe(false);
    expect(states).toEqual([true, false]);
    expect(clock.pendingTimers).toBe(0);
    const { ledger: reloaded } = await fresh(store, clock);
    expect(reloaded.has('t1', 'completed')).toBe(true);
  });

  it('does not overwrite the outcome of a pair already recorded', async () => {
    const { ledger } = await fresh();
    await ledger.record([{ taskId: 't1', status: 'completed', outcome: 'muted' }]);
    await ledger.record([{ taskId: 't1', status: 'completed', outcome: 'shown' }]);
    expect(ledger.outcomeOf('t1', 'completed')).toBe('muted');
  });
});
