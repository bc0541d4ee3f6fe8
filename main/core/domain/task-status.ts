/**
 * What a task's status means, and which of two versions of a task is the
 * later one. Used wherever the core reasons about tasks (transitions, the tray
 * model, the ledger), so the lifecycle order lives in one place.
 */
import type { NotifiedStatus, TaskStatus } from './types.ts';
import { timestampMicros } from './time.ts';

/** What Beacon remembers of a task to judge the next observation of it. */
export interface KnownTask {
  readonly status: TaskStatus;
  readonly updatedAt: string;
}

const RANK: Readonly<Record<TaskStatus, number>> = { pending: 0, in_progress: 1, completed: 2, failed: 2, cancelled: 2 };

/** `completed` or `failed`: the statuses Beacon announces. */
export function isNotifiedStatus(status: TaskStatus): status is NotifiedStatus {
  return status === 'completed' || status === 'failed';
}

/** The task's work is over (announced or cancelled). */
export function isFinalStatus(status: TaskStatus): boolean {
  return RANK[status] === 2;
}

/**
 * Orders two versions of the same task: > 0 when `a` is newer than `b`, < 0
 * when older, 0 when they are the same version. `updated_at` decides; two
 * writes in one transaction share it, and then the status further along the
 * lifecycle (pending < in_progress < final) is taken as the later one, so the
 * answer never depends on delivery order. Unparseable timestamps fall back to
 * that lifecycle order alone.
 */
export function compareTaskVersions(a: KnownTask, b: KnownTask): number {
  const ta = timestampMicros(a.updatedAt);
  const tb = timestampMicros(b.updatedAt);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta > tb ? 1 : -1;
  return RANK[a.status] - RANK[b.status];
}
