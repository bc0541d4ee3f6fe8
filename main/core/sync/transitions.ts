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

/** What Beacon remembers of a task to judge the next observation of it. */
export interface KnownTask {
  readonly status: TaskStatus;
  readonly updatedAt: string;
}

export type TransitionVerdict =
  /** The task newly reached `completed` or `failed`: offer it to the announcer. */
  | { readonly kind: 'notify'; readonly status: NotifiedStatus; readonly previous: TaskStatus | null }
  /** The task newly reached `cancelled`: it leaves the active list without a notification. */
  | { readonly kind: 'silent-end'; readonly previous: TaskStatus | null }
  /** The observation is older than what Beacon knows: drop it, the task never moves backwards. */
  | { readonly kind: 'regression'; readonly known: KnownTask }
  /** No terminal transition. `changed`: it is newer data to apply (new task, started, re-opened, edited). */
  | { readonly kind: 'none'; readonly changed: boolean };

const RANK: Readonly<Record<TaskStatus, number>> = { pending: 0, in_progress: 1, completed: 2, failed: 2, cancelled: 2 };

export function isNotifiedStatus(status: TaskStatus): status is NotifiedStatus {
  return status === 'completed' || status === 'failed';
}

export function isFinalStatus(status: TaskStatus): boolean {
  return RANK[status] === 2;
}

/**
 * Microseconds since the epoch of a Postgres/ISO timestamp, keeping the
 * microseconds Postgres writes (Date.parse would drop them and make two
 * updates in the same millisecond look simultaneous). NaN when unparseable.
 */
export function timestampMicros(iso: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(iso.trim());
  if (!match) return Number.NaN;
  const [, base = '', fraction = '', zone] = match;
  const normalizedZone = !zone ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.toUpperCase();
  const millis = Date.parse(`${base.replace(' ', 'T')}${normalizedZone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  if (Number.isNaN(millis)) return Number.NaN;
  return millis * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
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
