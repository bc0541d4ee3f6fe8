import { systemClock, type Clock } from '../../main/core/ports.ts';

/** A real clock that remembers every timer it was asked for (delay and when). */
export class SpyClock implements Clock {
  readonly timers: Array<{ readonly at: number; readonly ms: number }> = [];
  private readonly base: Clock;

  constructor(base: Clock = systemClock) {
    this.base = base;
  }

  now(): number {
    return this.base.now();
  }

  setTimeout(callback: () => void, ms: number): unknown {
    this.timers.push({ at: this.base.now(), ms });
    return this.base.setTimeout(callback, ms);
  }

  clearTimeout(handle: unknown): void {
    this.base.clearTimeout(handle);
  }

  /** Timers asked for since `since` (epoch ms). */
  since(since: number): Array<{ readonly at: number; readonly ms: number }> {
    return this.timers.filter((timer) => timer.at >= since);
  }
}
