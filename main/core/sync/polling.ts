/**
 * The polling fallback's timer: runs a task every `intervalMs` ± `jitterMs`
 * (uniform) while the server answers, measured from the end of the previous
 * run so runs never overlap. While the server errors, rate-limits or cannot be
 * reached, the delay backs off with full jitter (5 s growing to 60 s, see
 * backoff.ts), and honours the server's Retry-After; the first answer brings it
 * back to the interval. Jitter keeps a fleet of desktops that lost realtime at
 * the same moment (a server restart) from polling in lockstep.
 */
import type { Clock } from '../ports.ts';
import { fullJitter, POLL_ERROR_BACKOFF, type BackoffPolicy } from './backoff.ts';

/** What one poll found: the server answered, or it did not (or asked to slow down, for `retryAfterMs`). */
export type PollOutcome = { readonly kind: 'answered' } | { readonly kind: 'failed'; readonly retryAfterMs?: number };

export interface PollingOptions {
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly jitterMs: number;
  /** [0, 1); injectable for tests. */
  readonly random?: () => number;
  /** Back-off while polls fail (default POLL_ERROR_BACKOFF: 5 s → 60 s). */
  readonly errorBackoff?: BackoffPolicy;
  /** `start('now')` waits a uniform random [0, firstJitterMs) first, so a fleet that lost realtime together does not poll in one wave (default 0). */
  readonly firstJitterMs?: number;
  /** One poll. A throw or an unrecognised result counts as answered (the task reports its own failures). */
  readonly run: () => Promise<PollOutcome | unknown>;
}

export class PollingScheduler {
  private readonly options: PollingOptions;
  private readonly random: () => number;
  private readonly errorBackoff: BackoffPolicy;
  private timer: unknown = undefined;
  private active = false;
  private inFlight = false;
  private generation = 0;
  private failures = 0;
  private retryAfterMs = 0;
  private dueAt: number | null = null;

  constructor(options: PollingOptions) {
    if (options.jitterMs < 0 || options.jitterMs >= options.intervalMs) throw new Error('jitterMs must be within [0, intervalMs)');
    this.options = options;
    this.random = options.random ?? Math.random;
    this.errorBackoff = options.errorBackoff ?? POLL_ERROR_BACKOFF;
  }

  get running(): boolean {
    return this.active;
  }

  /** True while a poll is scheduled or running (the "polling" health invariant). */
  get scheduled(): boolean {
    return this.active && (this.inFlight || this.timer !== undefined);
  }

  /** Consecutive failed polls. */
  get failureStreak(): number {
    return this.failures;
  }

  /** When the next poll is due (clock ms), null when none is scheduled. */
  get nextAt(): number | null {
    return this.timer !== undefined ? this.dueAt : null;
  }

  /** Starts polling (no-op when already running): first run now, or after one jittered interval. */
  start(first: 'now' | 'after-interval'): void {
    if (this.active) return;
    this.active = true;
    this.generation += 1;
    if (!this.inFlight) this.schedule(first === 'now' ? Math.floor(this.random() * (this.options.firstJitterMs ?? 0)) : this.nextDelay());
  }

  /** Stops polling. A run in progress finishes, but nothing is scheduled after it. */
  stop(): void {
    this.active = false;
    this.generation += 1;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = null;
  }

  /** Forgets the failure streak ("Retry now", or the server answered some other way). */
  resetBackoff(): void {
    this.failures = 0;
    this.retryAfterMs = 0;
  }

  /** The delay before the next run: interval ± jitter while the server answers, full-jitter back-off while it does not. */
  nextDelay(): number {
    if (this.failures === 0) {
      const { intervalMs, jitterMs } = this.options;
      return Math.round(intervalMs - jitterMs + this.random() * 2 * jitterMs);
    }
    return Math.max(this.retryAfterMs, fullJitter(this.errorBackoff, this.failures - 1, this.random));
  }

  private schedule(delay: number): void {
    const generation = this.generation;
    this.dueAt = this.options.clock.now() + delay;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.dueAt = null;
      if (generation === this.generation) void this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    this.inFlight = true;
    try {
      const outcome = await this.options.run();
      this.note(outcome);
    } catch {
      // The task reports its own failures; polling must survive them.
    } finally {
      this.inFlight = false;
      // Restarted (stop + start) while this run was in flight: the new generation schedules here.
      if (this.active && this.timer === undefined) this.schedule(this.nextDelay());
    }
  }

  private note(outcome: unknown): void {
    if (typeof outcome !== 'object' || outcome === null || !('kind' in outcome)) return;
    const o = outcome as PollOutcome;
    if (o.kind === 'failed') {
      this.failures += 1;
      this.retryAfterMs = o.retryAfterMs ?? 0;
    } else if (o.kind === 'answered') {
      this.failures = 0;
      this.retryAfterMs = 0;
    }
  }
}
