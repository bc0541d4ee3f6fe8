import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../domain/types.ts';
import { makeTask } from '../../../test/fakes/tasks.ts';
import { LastKnownTasks, detectTransition, isNewer } from './transitions.ts';
import { compareTaskVersions, type KnownTask } from '../domain/task-status.ts';
import { timestampMicros } from '../domain/time.ts';

const at = (second: number, micros = 0): string => `2026-11-21T10:00:${String(second).padStart(2, '0')}.${String(micros).padStart(6, '0')}+00:00`;
const known = (status: TaskStatus, second: number, micros = 0): KnownTask => ({ status, updatedAt: at(second, micros) });

describe('timestampMicros', () => {
  it.each([
    ['2026-11-21T10:00:00Z', Date.UTC(2026, 10, 21, 10) * 1000],
    ['2026-11-21T10:00:00.000001+00:00', Date.UTC(2026, 10, 21, 10) * 1000 + 1],
    ['2026-11-21T10:00:00.123456+00:00', Date.UTC(2026, 10, 21, 10) * 1000 + 123_456],
    ['2026-11-21T12:00:00.5+02:00', Date.UTC(2026, 10, 21, 10) * 1000 + 500_000],
    ['2026-11-21 10:00:00.25+00', Date.UTC(2026, 10, 21, 10) * 1000 + 250_000],
    ['2026-11-21T10:00:00+0000', Date.UTC(2026, 10, 21, 10) * 1000],
    ['2026-11-21T10:00:00', Date.UTC(2026, 10, 21, 10) * 1000],
  ])('reads %s with microseconds', (iso, expected) => {
    expect(timestampMicros(iso)).toBe(expected);
  });

  it.each(['', 'yesterday', '2026-13-45T99:00:00Z'])('gives NaN for %j', (iso) => {
    expect(timestampMicros(iso)).toBeNaN();
  });

  it('tells apart two updates in the same millisecond', () => {
    expect(compareTaskVersions(known('completed', 1, 2), known('in_progress', 1, 1))).toBeGreaterThan(0);
  });
});

describe('detectTransition', () => {
  it.each<[string, KnownTask | undefined, KnownTask, string]>([
    ['unknown task seen completed', undefined, known('completed', 5), 'notify:completed'],
    ['unknown task seen failed', undefined, known('failed', 5), 'notify:failed'],
    ['unknown task seen cancelled', undefined, known('cancelled', 5), 'silent-end'],
    ['unknown task seen pending', undefined, known('pending', 5), 'none:changed'],
    ['pending → in_progress', known('pending', 1), known('in_progress', 2), 'none:changed'],
    ['in_progress → completed', known('in_progress', 2), known('completed', 3), 'notify:completed'],
    ['pending → failed', known('pending', 1), known('failed', 3), 'notify:failed'],
    ['in_progress → cancelled', known('in_progress', 2), known('cancelled', 3), 'silent-end'],
    ['completed seen again (duplicate)', known('completed', 3), known('completed', 3), 'none:same'],
    ['completed, then its result edited', known('completed', 3), known('completed', 4), 'none:changed'],
    ['completed, re-run and failed', known('completed', 3), known('failed', 6), 'notify:failed'],
    ['failed, re-opened as pending', known('failed', 3), known('pending', 4), 'none:changed'],
    ['stale snapshot row older than what we know', known('completed', 3), known('in_progress', 2), 'regression'],
    ['late pending event after completion', known('completed', 3), known('pending', 1), 'regression'],
    ['same timestamp, further along wins', known('pending', 3), known('in_progress', 3), 'none:changed'],
    ['same timestamp, earlier stage loses', known('in_progress', 3), known('pending', 3), 'regression'],
    ['same timestamp, same rank, other final status', known('completed', 3), known('failed', 3), 'regression'],
    ['same timestamp, pending → completed in one transaction', known('pending', 3), known('completed', 3), 'notify:completed'],
  ])('%s', (_name, before, observed, expected) => {
    const verdict = detectTransition(before, observed);
    const label =
      verdict.kind === 'notify' ? `notify:${verdict.status}` : verdict.kind === 'none' ? `none:${verdict.changed ? 'changed' : 'same'}` : verdict.kind;
    expect(label).toBe(expected);
  });

  it('treats only newer data as something to apply', () => {
    expect(isNewer(detectTransition(known('completed', 3), known('completed', 3)))).toBe(false);
    expect(isNewer(detectTransition(known('completed', 3), known('pending', 1)))).toBe(false);
    expect(isNewer(detectTransition(known('pending', 1), known('in_progress', 2)))).toBe(true);
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('LastKnownTasks', () => {
  const lifecycle = [
    makeTask({ id: 't1', status: 'pending', updatedAt: at(1) }),
    makeTask({ id: 't1', status: 'in_progress', updatedAt: at(2) }),
    makeTask({ id: 't1', status: 'completed', updatedAt: at(3) }),
  ];

  it.each(permutations([...lifecycle, lifecycle[2]!, lifecycle[1]!]).map((order) => [order.map((t) => t.status).join(' → '), order]))(
    'notifies exactly once and ends completed whatever the delivery order: %s',
    (_name, order) => {
      const tasks = new LastKnownTasks();
      const notified = order.map((task) => tasks.observe(task)).filter((verdict) => verdict.kind === 'notify');
      expect(notified).toEqual([{ kind: 'notify', status: 'completed', previous: expect.toBeOneOf([null, 'pending', 'in_progress']) }]);
      expect(tasks.get('t1')).toEqual({ status: 'completed', updatedAt: at(3) });
    },
  );

  it('never moves a task backwards on a stale snapshot row', () => {
    const tasks = new LastKnownTasks();
    tasks.observe(makeTask({ id: 't1', status: 'failed', updatedAt: at(5) }));
    expect(tasks.observe(makeTask({ id: 't1', status: 'in_progress', updatedAt: at(4) })).kind).toBe('regression');
    expect(tasks.get('t1')?.status).toBe('failed');
  });

  it('judges a forgotten (deleted) task as new when it comes back', () => {
    const tasks = new LastKnownTasks();
    tasks.observe(makeTask({ id: 't1', status: 'completed', updatedAt: at(3) }));
    tasks.forget('t1');
    expect(tasks.observe(makeTask({ id: 't1', status: 'completed', updatedAt: at(3) })).kind).toBe('notify');
  });

  it('remembers a bounded number of finished tasks but every active one', () => {
    const tasks = new LastKnownTasks({ maxFinished: 3 });
    for (let i = 0; i < 10; i += 1) tasks.observe(makeTask({ id: `active-${i}`, status: 'in_progress', updatedAt: at(1) }));
    for (let i = 0; i < 10; i += 1) tasks.observe(makeTask({ id: `done-${i}`, status: 'completed', updatedAt: at(2) }));
    expect(tasks.size).toBe(13);
    expect(tasks.get('active-0')?.status).toBe('in_progress');
    expect(tasks.get('done-9')?.status).toBe('completed');
    expect(tasks.get('done-0')).toBeUndefined();
  });
});
