import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../main/core/domain/types.ts';
import { checkExactlyOnce, isExact } from './exactly-once.ts';

const db = (entries: Array<[string, TaskStatus]>) => new Map(entries);

describe('checkExactlyOnce', () => {
  it.each([
    {
      name: 'each terminal transition once: exact',
      statuses: db([['t1', 'completed'], ['t2', 'failed'], ['t3', 'cancelled'], ['t4', 'in_progress']]),
      announced: ['t2:failed', 't1:completed'],
      expected: { committed: 2, announced: 2, missed: [], doubled: [], unexpected: [] },
    },
    {
      name: 'one never announced: missed',
      statuses: db([['t1', 'completed'], ['t2', 'failed']]),
      announced: ['t1:completed'],
      expected: { committed: 2, announced: 1, missed: ['t2:failed'], doubled: [], unexpected: [] },
    },
    {
      name: 'a notification and a summary for the same task: doubled',
      statuses: db([['t1', 'completed']]),
      announced: ['t1:completed', 't1:completed', 't1:completed'],
      expected: { committed: 1, announced: 3, missed: [], doubled: ['t1:completed ×3'], unexpected: [] },
    },
    {
      name: 'a cancelled, unfinished or differently finished task announced: unexpected',
      statuses: db([['t1', 'cancelled'], ['t2', 'in_progress'], ['t3', 'failed']]),
      announced: ['t1:completed', 't2:completed', 't3:completed', 't3:failed'],
      expected: { committed: 1, announced: 4, missed: [], doubled: [], unexpected: ['t1:completed', 't2:completed', 't3:completed'] },
    },
    {
      name: 'tasks outside the workload are not judged',
      statuses: db([['t1', 'completed']]),
      announced: ['seed-task:completed', 't1:completed', 'seed-task:completed'],
      expected: { committed: 1, announced: 1, missed: [], doubled: [], unexpected: [] },
    },
  ])('$name', ({ statuses, announced, expected }) => {
    const verdict = checkExactlyOnce(statuses, announced);
    expect(verdict).toEqual(expected);
    expect(isExact(verdict)).toBe(expected.missed.length + expected.doubled.length + expected.unexpected.length === 0);
  });
});
