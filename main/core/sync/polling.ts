/**
 * The polling fallback's timer: runs a task every `intervalMs` ± `jitterMs`
 * (uniform), measured from the end of the previous run so runs never overlap.
 * Jitter keeps a fleet of desktops that lost realtime at the same moment (a
 * server restart) from polling in lockstep.
 */
import type { Clock } from '../ports.ts';

export interface PollingOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly jitterMs: number;
  /** [0, 1); injectable for tests. */
  readonly random?: () => number;
  /** One poll. Its failure is the task's business (it reports through health); polling goes on. */
  readonly run: () => Promise<unknown>;
}

export class PollingScheduler {
  private readonly options: PollingOptions;
  private readonly random: () => number;
  private timer: unknown = undefined;
  private active = false;
  private inFlight = false;
  private generation = 0;

  constructor(options: PollingOptions) {
    if (options.jitterMs < 0 || options.jitterMs >= options.intervalMs) throw new Error('jitterMs must be within [0, intervalMs)');
    this.options = options;
    this.random = options.random ?? Math.random;
  }

  get running(): boolean {
    return this.active;
  }

  /** Starts polling (no-op when already running): first run now, or after one jittered interval. */
  start(first: 'now' | 'after-interval'): void {
    if (this.active) return;
    this.active = true;
    this.generation += 1;
    if (!this.inFlight) this.schedule(first === 'now' ? 0 : this.nextDelay());
  }

  /** Stops polling. A run in progress finishes, but nothing is scheduled after it. */
  stop(): void {
    this.active = false;
    this.generation += 1;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The delay before the next run: interval ± jitter. */
  nextDelay(): number {
    const { intervalMs, jitterMs } = this.options;
    return Math.round(intervalMs - jitterMs + this.random() * 2 * jitterMs);
  }

  private schedule(delay: number): void {
    const generation = this.generation;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (generation === this.generation) void this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    this.inFlight = true;
    try {
      await this.options.run();
    } catch {
      // The task reports its own failures; polling must survive them.
    } finally {
      this.inFlight = false;
      // Restarted (stop + start) while this run was in flight: the new generation schedules here.
      if (this.active && this.timer === undefined) this.schedule(this.nextDelay());
    }
  }
}
