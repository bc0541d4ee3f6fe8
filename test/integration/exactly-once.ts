/**
 * The fault matrix's assertion: every terminal transition committed to the
 * database was announced exactly once, across notifications and summaries.
 */
import type { TaskStatus } from '../../main/core/domain/types.ts';

export interface DeliveryVerdict {
  /** Terminal transitions (completed / failed) committed for the tasks in scope. */
  readonly committed: number;
  /** Announcements of tasks in scope, counting repeats. */
  readonly announced: number;
  /** `taskId:status` committed but never announced. */
  readonly missed: readonly string[];
  /** `taskId:status` announced more than once, as `taskId:status ×n`. */
  readonly doubled: readonly string[];
  /** `taskId:status` announced although the database does not hold that final status. */
  readonly unexpected: readonly string[];
}

/**
 * `finalStatuses`: the database's status of every task in scope, read after
 * the workload ended. `announced`: `taskId:status` entries as
 * RecordingNotifier.announced() lists them; tasks out of scope are ignored.
 */
export function checkExactlyOnce(finalStatuses: ReadonlyMap<string, TaskStatus>, announced: readonly string[]): DeliveryVerdict {
  const counts = new Map<string, number>();
  let inScope = 0;
  for (const entry of announced) {
    const taskId = entry.slice(0, entry.lastIndexOf(':'));
    if (!finalStatuses.has(taskId)) continue;
    inScope += 1;
    counts.set(entry, (counts.get(entry) ?? 0) + 1);
  }
  const expected = new Set<string>();
  for (const [taskId, status] of finalStatuses) if (status === 'completed' || status === 'failed') expected.add(`${taskId}:${status}`);
  return {
    committed: expected.size,
    announced: inScope,
    missed: [...expected].filter((key) => !counts.has(key)).sort(),
    doubled: [...counts].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`).sort(),
    unexpected: [...counts.keys()].filter((key) => !expected.has(key)).sort(),
  };
}

export function isExact(verdict: DeliveryVerdict): boolean {
  return verdict.missed.length === 0 && verdict.doubled.length === 0 && verdict.unexpected.length === 0;
}
