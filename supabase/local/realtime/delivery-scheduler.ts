/**
 * Runs deliveries in the order they were scheduled, optionally after an added
 * delay (the `latency` fault). Order is kept even when the delay changes:
 * nothing overtakes an earlier delivery that is still waiting.
 */
export class DeliveryScheduler {
  private latencyMs = 0;
  private readonly waiting: Array<{ due: number; run: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  schedule(run: () => void): void {
    if (this.latencyMs === 0 && this.waiting.length === 0) {
      run();
      return;
    }
    this.waiting.push({ due: Date.now() + this.latencyMs, run });
    this.arm();
  }

  /** Drops everything still waiting. */
  clear(): void {
    this.waiting.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.waiting.length === 0) return;
    const head = this.waiting[0];
    this.timer = setTimeout(() => this.flush(), Math.max(0, (head?.due ?? 0) - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.waiting.length > 0 && (this.waiting[0]?.due ?? 0) <= now) this.waiting.shift()?.run();
    this.arm();
  }
}
