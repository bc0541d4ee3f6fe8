/**
 * A steady stream of AI tasks for one agent, as the CRM backend would commit
 * them: each task is inserted `pending`, moves to `in_progress`, then ends
 * `completed`, `failed` or (rarely) `cancelled`, each step its own committed
 * UPDATE. Task starts are spread evenly over `spreadMs`, so terminal
 * transitions keep coming while faults are injected. Every random choice comes
 * from the seeded PRNG, up front, so a schedule can be replayed.
 */
import { randomUUID } from 'node:crypto';
import type { TaskStatus } from '../../main/core/domain/types.ts';
import type { CrmWriter, OwnerFixture } from './crm-writer.ts';
import type { Prng } from './prng.ts';

export interface WorkloadOptions {
  readonly writer: CrmWriter;
  readonly owner: OwnerFixture;
  readonly prng: Prng;
  /** Number of tasks (default 60). */
  readonly tasks?: number;
  /** Task starts are spread evenly over this many ms (default 15 s). */
  readonly spreadMs?: number;
  /** Time spent pending, then in progress: uniform in [min, max] ms. */
  readonly pendingMs?: readonly [number, number];
  readonly runningMs?: readonly [number, number];
  /** Share of tasks that fail (default 0.3) and that are cancelled (default 0.05); the rest complete. */
  readonly failRatio?: number;
  readonly cancelRatio?: number;
  readonly titlePrefix?: string;
  /** A write that failed for good (after the writer's retries); the task stays where it was. */
  readonly onError?: (error: unknown, taskId: string) => void;
}

interface PlannedTask {
  readonly id: string;
  readonly agentId: string;
  readonly contactId: string;
  readonly title: string;
  readonly startAtMs: number;
  readonly pendingMs: number;
  readonly runningMs: number;
  readonly final: TaskStatus;
  status: TaskStatus | 'unborn';
}

export interface WorkloadStats {
  readonly planned: number;
  readonly inserted: number;
  /** Terminal UPDATEs acknowledged by the database (the DB is the truth; a late ack may be missing here). */
  readonly finished: number;
  readonly failedWrites: number;
}

export class TaskWorkload {
  private readonly options: WorkloadOptions;
  private readonly plan: PlannedTask[];
  private started = false;
  private donePromise: Promise<void> | null = null;
  private stopped = false;
  /** Resolved by stop(): wakes every task that is waiting for its next step. */
  private readonly halt = Promise.withResolvers<void>();
  private readonly counts = { inserted: 0, finished: 0, failedWrites: 0 };

  constructor(options: WorkloadOptions) {
    this.options = options;
    const { prng, owner } = options;
    const count = options.tasks ?? 60;
    const spreadMs = options.spreadMs ?? 15_000;
    const [pendingMin, pendingMax] = options.pendingMs ?? [200, 1_200];
    const [runningMin, runningMax] = options.runningMs ?? [400, 2_500];
    const failRatio = options.failRatio ?? 0.3;
    const cancelRatio = options.cancelRatio ?? 0.05;
    const prefix = options.titlePrefix ?? 'Workload task';
    this.plan = Array.from({ length: count }, (_, index) => {
      const roll = prng.next();
      return {
        id: randomUUID(),
        agentId: prng.pick(owner.aiAgentIds),
        contactId: prng.pick(owner.contactIds),
        title: `${prefix} ${index + 1}`,
        startAtMs: Math.round((index * spreadMs) / count),
        pendingMs: prng.int(pendingMin, pendingMax),
        runningMs: prng.int(runningMin, runningMax),
        final: roll < cancelRatio ? 'cancelled' : roll < cancelRatio + failRatio ? 'failed' : 'completed',
        status: 'unborn',
      };
    });
  }

  /** Starts the workload; resolves (see `done`) once every task has reached its end. */
  start(): Promise<void> {
    if (this.started) throw new Error('the workload has already started');
    this.started = true;
    const origin = Date.now();
    this.donePromise = Promise.all(this.plan.map((task) => this.run(task, origin))).then(() => undefined);
    return this.donePromise;
  }

  get done(): Promise<void> {
    if (!this.donePromise) throw new Error('the workload has not started');
    return this.donePromise;
  }

  /** Stops starting new tasks and moving existing ones (tasks stay where they are). */
  stop(): void {
    this.stopped = true;
    this.halt.resolve();
  }

  taskIds(): string[] {
    return this.plan.map((task) => task.id);
  }

  /** Tasks that are in progress right now (as far as the workload's own writes go). */
  running(): number {
    return this.plan.filter((task) => task.status === 'in_progress').length;
  }

  /**
   * Ends up to `max` in-progress tasks at once, concurrently: a burst of
   * completions. Resolves with how many were ended by the burst.
   */
  async burst(max: number): Promise<number> {
    const chosen = this.plan.filter((task) => task.status === 'in_progress').slice(0, max);
    const moved = await Promise.all(chosen.map((task) => this.finish(task)));
    return moved.filter(Boolean).length;
  }

  stats(): WorkloadStats {
    return { planned: this.plan.length, ...this.counts };
  }

  private async run(task: PlannedTask, origin: number): Promise<void> {
    await this.pause(origin + task.startAtMs - Date.now());
    if (this.stopped) return;
    try {
      await this.options.writer.insertTask({ id: task.id, agentId: task.agentId, contactId: task.contactId, title: task.title, status: 'pending' });
      task.status = 'pending';
      this.counts.inserted += 1;
      await this.pause(task.pendingMs);
      if (this.stopped) return;
      // False only when a retried write finds its first attempt committed: it is in progress either way.
      await this.options.writer.moveTask(task.id, 'pending', 'in_progress');
      task.status = 'in_progress';
      await this.pause(task.runningMs);
      if (this.stopped) return;
      await this.finish(task);
    } catch (error) {
      this.counts.failedWrites += 1;
      this.options.onError?.(error, task.id);
    }
  }

  /** Waits `ms`, or less when the workload is stopped meanwhile. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))), this.halt.promise]);
    clearTimeout(timer);
  }

  /** Commits the task's final status unless something else already ended it. */
  private async finish(task: PlannedTask): Promise<boolean> {
    if (task.status !== 'in_progress') return false;
    // Claimed before the await, so a burst and the task's own schedule never both write.
    task.status = task.final;
    const moved = await this.options.writer.moveTask(task.id, 'in_progress', task.final);
    if (moved) this.counts.finished += 1;
    return moved;
  }
}

