/**
 * Serialises snapshot runs. A request made while one runs does not start a
 * second one in parallel (their results could arrive out of order); it is
 * queued, and all requests made during the run share one follow-up run, which
 * starts after the current one. That follow-up is what makes a reconcile
 * requested after SUBSCRIBED read the database after the join, even when a
 * poll was already in flight.
 */
interface Pending<R extends string> {
  reason: R;
  readonly promise: Promise<boolean>;
  readonly resolve: (ok: boolean) => void;
}

export class SnapshotQueue<R extends string> {
  private readonly run: (reason: R) => Promise<boolean>;
  private readonly priority: Readonly<Record<R, number>>;
  private current: Promise<boolean> | null = null;
  private pending: Pending<R> | null = null;

  /** `priority` picks the reason reported for a follow-up that several requests share (highest wins). */
  constructor(run: (reason: R) => Promise<boolean>, priority: Readonly<Record<R, number>>) {
    this.run = run;
    this.priority = priority;
  }

  /** Resolves true when the run that serves this request emitted a snapshot. */
  request(reason: R): Promise<boolean> {
    if (!this.current) return this.start(reason);
    if (this.pending) {
      if (this.priority[reason] > this.priority[this.pending.reason]) this.pending.reason = reason;
      return this.pending.promise;
    }
    let resolve: (ok: boolean) => void = () => {};
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.pending = { reason, promise, resolve };
    return promise;
  }

  /** Drops the queued follow-up (its requests resolve false) and waits for the current run to end. */
  async cancel(): Promise<void> {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(false);
    await this.current?.catch(() => false);
  }

  private start(reason: R): Promise<boolean> {
    const run = this.run(reason)
      .catch(() => false)
      .finally(() => {
        this.current = null;
        const next = this.pending;
        this.pending = null;
        if (next) void this.start(next.reason).then(next.resolve);
      });
    this.current = run;
    return run;
  }
}
