/**
 * Transition detection against Beacon's own last-known task state.
 *
 * Realtime's `old` record holds only the primary key under RLS, so the status a
 * task had before an event is whatever Beacon last saw. Every observation, from
 * a live event, a reconcile snapshot or the startup snapshot, goes through
 * `detectTransition`: a newer observation moves the known state forward, an
 * older one (a stale snapshot row, an event delivered late) never moves it
 * back, and seeing the same version twice is a no-op. That makes duplicate and
 * out-of-order delivery harmless; the notification ledger then makes the
 * notification itself exactly-once across restarts.
 */
import type { NotifiedStatus, Task, TaskStatus } from '../domain/types.ts';
import { compareTaskVersions, isFinalStatus, isNotifiedStatus, type KnownTask } from '../domain/task-status.ts';

export type TransitionVerdict =
  /** The task newly reached `completed` or `failed`: offer it to the announcer. */
  | { readonly kind: 'notify'; readonly status: NotifiedStatus; readonly previous: TaskStatus | null }
  /** The task newly reached `cancelled`: it leaves the active list without a notification. */
  | { readonly kind: 'silent-end'; readonly previous: TaskStatus | null }
  /** The observation is older than what Beacon knows: drop it, the task never moves backwards. */
  | { readonly kind: 'regression'; readonly known: KnownTask }
  /** No terminal transition. `changed`: it is newer data to apply (new task, started, re-opened, edited). */
  | { readonly kind: 'none'; readonly changed: boolean };

export function detectTransition(known: KnownTask | undefined, observed: KnownTask): TransitionVerdict {
  if (known) {
    const order = compareTaskVersions(observed, known);
    if (order < 0) return { kind: 'regression', known };
    if (order === 0) {
      // Same timestamp and lifecycle rank: a duplicate, unless a different final status shares the
      // timestamp (only a pathological writer does that); the known one stays, deterministically.
      return observed.status === known.status ? { kind: 'none', changed: false } : { kind: 'regression', known };
    }
  }
  const previous = known?.status ?? null;
  if (previous !== observed.status) {
    if (isNotifiedStatus(observed.status)) return { kind: 'notify', status: observed.status, previous };
    if (observed.status === 'cancelled') return { kind: 'silent-end', previous };
  }
  return { kind: 'none', changed: true };
}

/** Whether the observation carries data the state should take (everything but regressions and duplicates). */
export function isNewer(verdict: TransitionVerdict): boolean {
  return verdict.kind === 'notify' || verdict.kind === 'silent-end' || (verdict.kind === 'none' && verdict.changed);
}

export interface LastKnownTasksOptions {
  /**
   * How many finished tasks to remember (active ones are always kept). A
   * forgotten finished task seen again counts as new; the notification ledger
   * still keeps it from being notified twice.
   */
  readonly maxFinished?: number;
}

/** Beacon's last-known status of every task it has seen, with a bound on finished ones. */
export class LastKnownTasks {
  private readonly known = new Map<string, KnownTask>();
  // Finished task ids, least recently changed first: the ones to forget first.
  private readonly finished = new Set<string>();
  private readonly maxFinished: number;

  constructor(options: LastKnownTasksOptions = {}) {
    this.maxFinished = options.maxFinished ?? 20_000;
  }

  /** Judges an observed task and, when it is newer, remembers it. */
  observe(task: Pick<Task, 'id' | 'status' | 'updatedAt'>): TransitionVerdict {
    const verdict = detectTransition(this.known.get(task.id), task);
    if (isNewer(verdict)) {
      this.known.set(task.id, { status: task.status, updatedAt: task.updatedAt });
      this.finished.delete(task.id);
      if (isFinalStatus(task.status)) {
        this.finished.add(task.id);
        this.trim();
      }
    }
    return verdict;
  }

  get(taskId: string): KnownTask | undefined {
    return this.known.get(taskId);
  }

  /** Ids of the tasks last known as pending or in progress. */
  activeIds(): string[] {
    return [...this.known.keys()].filter((id) => !this.finished.has(id));
  }

  /** After a DELETE: a task id that comes back later is judged as new. */
  forget(taskId: string): void {
    this.known.delete(taskId);
    this.finished.delete(taskId);
  }

  clear(): void {
    this.known.clear();
    this.finished.clear();
  }

  get size(): number {
    return this.known.size;
  }

  private trim(): void {
    for (const id of this.finished) {
      if (this.finished.size <= this.maxFinished) break;
      this.finished.delete(id);
      this.known.delete(id);
    }
  }
}
