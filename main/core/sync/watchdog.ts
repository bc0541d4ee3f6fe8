/**
 * Heartbeat watchdog. realtime-js reports each heartbeat (`sent`, `ok`,
 * `error`, `timeout`); the watchdog turns the bad cases into one "stalled"
 * signal the engine answers with a forced reconnect:
 *
 *   - `timeout` or `error`: at once;
 *   - no `ok` for `missedIntervals` heartbeat intervals (+ slack): the socket
 *     may be stuck connecting, or timers were frozen (sleep, App Nap), and
 *     realtime-js would not notice by itself.
 *
 * One timer, due at the deadline, re-armed only when it fires, so the watchdog
 * never ticks faster than the heartbeat. After a stall the next deadline backs
 * off (doubling, capped) until an `ok` arrives, so a server that is down is not
 * hammered with forced reconnects on top of realtime-js's own.
 */
import type { Clock } from '../ports.ts';

export type StallReason = 'heartbeat-timeout' | 'heartbeat-error' | 'no-heartbeat-ack';

export interface WatchdogOptions {
  readonly clock: Clock;
  readonly heartbeatIntervalMs: number;
  /** Intervals without an `ok` before a stall is declared (default 2). */
  readonly missedIntervals?: number;
  /** Added to the deadline so the library's own timeout (exactly 2 intervals) normally wins (default 500 ms). */
  readonly slackMs?: number;
  /** Ceiling for the backed-off deadline after repeated stalls (default 60 s). */
  readonly maxBackoffMs?: number;
  readonly onStall: (reason: StallReason) => void;
}

export class HeartbeatWatchdog {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly maxBackoffMs: number;
  private readonly onStall: (reason: StallReason) => void;
  private timer: unknown = undefined;
  private running = false;
  private lastAckAt = 0;
  /** Current allowance without an ack; doubles after each stall. */
  private allowanceMs: number;

  constructor(options: WatchdogOptions) {
    this.clock = options.clock;
    this.windowMs = options.heartbeatIntervalMs * (options.missedIntervals ?? 2) + (options.slackMs ?? 500);
    this.maxBackoffMs = Math.max(this.windowMs, options.maxBackoffMs ?? 60_000);
    this.onStall = options.onStall;
    this.allowanceMs = this.windowMs;
  }

  get active(): boolean {
    return this.running;
  }

  /** Starts expecting heartbeats from now on. */
  start(): void {
    this.running = true;
    this.lastAckAt = this.clock.now();
    this.allowanceMs = this.windowMs;
    this.arm(this.allowanceMs);
  }

  /** Stops expecting heartbeats (sign-out, stop, system suspend). */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /**
   * A (re)connection just succeeded: the link answered now. Counts the
   * allowance from here, as an ack would, keeping any back-off. Without this
   * the silence before a reconnect plus the new socket's first interval (its
   * first heartbeat goes out one interval after it opens) can exceed the
   * window and force a needless second reconnect right after a good one.
   */
  connected(): void {
    if (!this.running) return;
    this.lastAckAt = this.clock.now();
    this.arm(this.allowanceMs);
  }

  heartbeat(status: string): void {
    if (!this.running) return;
    if (status === 'ok') {
      this.lastAckAt = this.clock.now();
      if (this.allowanceMs !== this.windowMs) {
        // First ack after stalls: back to the normal window (the armed timer may be far off).
        this.allowanceMs = this.windowMs;
        this.arm(this.windowMs);
      }
      return;
    }
    if (status === 'timeout') this.stall('heartbeat-timeout');
    else if (status === 'error') this.stall('heartbeat-error');
  }

  private stall(reason: StallReason): void {
    // Count the allowance from the stall: a forced reconnect needs time to produce its first ack.
    this.lastAckAt = this.clock.now();
    this.allowanceMs = Math.min(this.allowanceMs * 2, this.maxBackoffMs);
    this.arm(this.allowanceMs);
    this.onStall(reason);
  }

  private check(): void {
    if (!this.running) return;
    const silentFor = this.clock.now() - this.lastAckAt;
    const allowance = this.allowanceMs;
    if (silentFor >= allowance) this.stall('no-heartbeat-ack');
    else this.arm(allowance - silentFor);
  }

  private arm(delayMs: number): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, delayMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
