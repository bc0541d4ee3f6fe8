/**
 * The notification ledger: every (task, final status) Beacon has already told
 * the user about, or deliberately kept quiet about, persisted through the
 * KeyValueStore so it survives restarts. It is what makes notifications
 * exactly-once across reconnects, the polling/realtime overlap, startup
 * snapshots and restarts.
 *
 * Ordering rule: an entry is recorded (and durably written) BEFORE the
 * notification is shown. A crash between the two loses at most the
 * notifications of that one flush; it can never show one twice. The other
 * order would double a notification on every crash in that gap.
 *
 * The same stored value also holds the "last seen" cursor: the server time up
 * to which Beacon has seen task changes, the starting point of the "while you
 * were away" snapshot after a restart.
 *
 * Storage that never lies:
 *   - Two generations: each write goes to the other of two keys (`<key>` and
 *     `<key>.b`) with a generation number, so the last good generation is
 *     always on disk. On load the newest valid one wins; a corrupt, truncated
 *     or wrong-schema value is kept aside (`<key>.corrupt-<time>`, never
 *     overwritten), reported in `problems` for the user, and the other
 *     generation keeps the cursor: tasks that finished while Beacon was closed
 *     are still summarised once.
 *   - A failed write is retried with back-off until it succeeds; meanwhile
 *     `failing` is true (the tray says so) and `writeFailures` counts them (the
 *     headless runner exits non-zero). The records stay in memory, so nothing is
 *     announced twice within the run.
 */
import { z } from 'zod';
import { NOTIFIED_STATUSES, type NotifiedStatus } from '../domain/types.ts';
import { CorruptValueError, silentLogger, type Clock, type KeyValueStore, type Logger } from '../ports.ts';
import { timestampMicros } from '../domain/time.ts';
import { fullJitter, type BackoffPolicy } from '../sync/backoff.ts';

/** shown: a notification or summary listed it; muted: disabled, quiet hours or pause; seen: baseline on first run. */
export type LedgerOutcome = 'shown' | 'muted' | 'seen';

export interface LedgerRecord {
  readonly taskId: string;
  readonly status: NotifiedStatus;
  readonly outcome: LedgerOutcome;
}

export interface NotificationLedgerOptions {
  readonly store: KeyValueStore;
  /** With setTimeout, failed writes are retried with back-off; with only `now`, by the next write. */
  readonly clock: Pick<Clock, 'now'> & Partial<Pick<Clock, 'setTimeout' | 'clearTimeout'>>;
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Store key (default `notification-ledger`). */
  readonly key?: string;
  /** Entries not seen for this many days are dropped (default 30). */
  readonly retentionDays?: number;
  /** Hard bound on entries; the least recently seen go first (default 100,000). */
  readonly maxEntries?: number;
}

export const DEFAULT_LEDGER_KEY = 'notification-ledger';
const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

const WRITE_RETRY: BackoffPolicy = { baseMs: 2_000, capMs: 60_000, floorMs: 1_000 };

/** Something the user should be told about the ledger, in plain words. */
export interface LedgerProblem {
  readonly message: string;
  /** Where the unreadable value was kept, if it was. */
  readonly backup: string | null;
}

const storedLedgerSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  /** Version 2: counts writes; the newer of the two generations wins. */
  generation: z.number().int().min(0).optional(),
  cursor: z.string().nullable(),
  entries: z.array(
    z.object({
      taskId: z.string().min(1),
      status: z.enum(NOTIFIED_STATUSES),
      outcome: z.enum(['shown', 'muted', 'seen']),
      at: z.number(),
    }),
  ),
});
type StoredLedger = z.infer<typeof storedLedgerSchema>;

interface Entry {
  readonly outcome: LedgerOutcome;
  /** Last time this (task, status) was recorded or seen again: what retention counts from. */
  readonly at: number;
}

const keyOf = (taskId: string, status: NotifiedStatus): string => `${status}:${taskId}`;

export class NotificationLedger {
  private readonly store: KeyValueStore;
  private readonly clock: NotificationLedgerOptions['clock'];
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly key: string;
  private generation = 0;
  private retryTimer: unknown = undefined;
  private retryAttempt = 0;
  private failingNow = false;
  private failures = 0;
  private readonly loadProblems: LedgerProblem[] = [];
  private readonly failingListeners = new Set<(failing: boolean) => void>();
  private readonly retentionMs: number;
  private readonly maxEntries: number;
  // Insertion order = least recently seen first (touch re-inserts).
  private readonly entries = new Map<string, Entry & { readonly taskId: string; readonly status: NotifiedStatus }>();
  private currentCursor: string | null = null;
  private lastPrune = 0;
  private dirty = false;
  private writeTail: Promise<void> = Promise.resolve();
  private queuedWrite: Promise<void> | null = null;

  private constructor(options: NotificationLedgerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.key = options.key ?? DEFAULT_LEDGER_KEY;
    this.retentionMs = (options.retentionDays ?? 30) * DAY_MS;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /**
   * Loads the ledger: the newest valid of the two generations. A missing value
   * is an empty ledger; a corrupt one is kept aside and reported. Never throws.
   */
  static async load(options: NotificationLedgerOptions): Promise<NotificationLedger> {
    const ledger = new NotificationLedger(options);
    const candidates: StoredLedger[] = [];
    for (const slot of ledger.slots()) {
      const stored = await ledger.readSlot(slot);
      if (stored) candidates.push(stored);
    }
    const best = candidates.sort((a, b) => (b.generation ?? 0) - (a.generation ?? 0))[0];
    if (best) {
      ledger.restore(best);
      if (ledger.loadProblems.length > 0) {
        ledger.logger.warn('notification ledger: using the last good generation', { generation: best.generation ?? 0, cursor: best.cursor });
      }
    }
    return ledger;
  }

  /** What went wrong reading the ledger at start-up (the user is told). */
  get problems(): readonly LedgerProblem[] {
    return this.loadProblems;
  }

  /** True while the last write failed and a retry is pending. */
  get failing(): boolean {
    return this.failingNow;
  }

  /** Writes that failed in this run. */
  get writeFailures(): number {
    return this.failures;
  }

  /** Called with true when writes start failing and with false once one succeeds again. */
  onFailingChange(listener: (failing: boolean) => void): () => void {
    this.failingListeners.add(listener);
    return () => this.failingListeners.delete(listener);
  }

  /**
   * A clean stop: writes the current state to both generations, so a value
   * damaged while Beacon was closed loses nothing (the other copy is
   * complete). Rejects when the store fails.
   */
  async close(): Promise<void> {
    await this.flush();
    const current = this.generation;
    for (let i = 0; i < 2 && this.generation < current + 2; i += 1) {
      this.dirty = true;
      await this.persist();
    }
  }

  /** Stops retrying (the core is stopping). */
  dispose(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout?.(this.retryTimer);
    this.retryTimer = undefined;
  }

  private slots(): [string, string] {
    return [this.key, `${this.key}.b`];
  }

  private async readSlot(slot: string): Promise<StoredLedger | null> {
    let raw: unknown;
    try {
      raw = await this.store.get(slot);
    } catch (error) {
      if (error instanceof CorruptValueError) {
        this.logger.warn('notification ledger is corrupt; kept aside', { slot, backup: error.backup });
        this.loadProblems.push({ message: 'Beacon\'s record of announced tasks was damaged. It was kept aside and Beacon continued from the last good copy.', backup: error.backup });
      } else {
        this.logger.warn('notification ledger could not be read', { slot, error: String(error) });
        this.loadProblems.push({ message: 'Beacon could not read its record of announced tasks; some notifications may repeat.', backup: null });
      }
      return null;
    }
    if (raw === undefined) return null;
    const parsed = storedLedgerSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    // Valid JSON of the wrong shape (another version, a bad edit): never overwrite it without a copy.
    const backup = `${slot}.corrupt-${new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    let kept: string | null = backup;
    try {
      await this.store.set(backup, raw);
    } catch (error) {
      kept = null;
      this.logger.warn('could not keep the unreadable ledger aside', { slot, error: String(error) });
    }
    this.logger.warn('notification ledger is corrupt; kept aside', { slot, issues: parsed.error.issues.length, backup: kept });
    this.loadProblems.push({ message: 'Beacon\'s record of announced tasks was not in a format it knows. It was kept aside and Beacon continued from the last good copy.', backup: kept });
    return null;
  }

  has(taskId: string, status: NotifiedStatus): boolean {
    return this.entries.has(keyOf(taskId, status));
  }

  outcomeOf(taskId: string, status: NotifiedStatus): LedgerOutcome | undefined {
    return this.entries.get(keyOf(taskId, status))?.outcome;
  }

  /**
   * Marks an already-recorded (task, status) as seen again, so retention counts
   * from now; written with the next write. Unknown pairs are ignored.
   */
  touch(taskId: string, status: NotifiedStatus): void {
    const key = keyOf(taskId, status);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.entries.set(key, { ...entry, at: this.clock.now() });
    this.dirty = true;
  }

  /**
   * Records the pairs not recorded yet. They count as recorded (`has` is true)
   * as soon as this returns; the promise resolves once they are durably
   * stored, and only then may a notification for them be shown. Rejects when
   * the store fails (the in-memory record stays: no double within this run).
   */
  record(records: readonly LedgerRecord[]): Promise<void> {
    const now = this.clock.now();
    let added = false;
    for (const record of records) {
      const key = keyOf(record.taskId, record.status);
      if (this.entries.has(key)) continue;
      this.entries.set(key, { taskId: record.taskId, status: record.status, outcome: record.outcome, at: now });
      added = true;
    }
    if (!added) return this.queuedWrite ?? this.writeTail;
    this.dirty = true;
    this.pruneIfDue(now);
    return this.persist();
  }

  /** The server time up to which task changes have been seen; null before the first snapshot. */
  get cursor(): string | null {
    return this.currentCursor;
  }

  /** Moves the cursor forward (never back) and writes it. */
  advanceCursor(iso: string): Promise<void> {
    const next = timestampMicros(iso);
    if (Number.isNaN(next)) return Promise.reject(new TypeError(`not a timestamp: ${iso}`));
    if (this.currentCursor !== null && timestampMicros(this.currentCursor) >= next) return this.queuedWrite ?? this.writeTail;
    this.currentCursor = iso;
    this.dirty = true;
    return this.persist();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Writes pending touches, if any, and waits for every write issued so far. */
  flush(): Promise<void> {
    return this.dirty ? this.persist() : (this.queuedWrite ?? this.writeTail);
  }

  /** Drops entries older than the retention and beyond the size bound; returns how many went. */
  prune(): number {
    const now = this.clock.now();
    this.lastPrune = now;
    const before = this.entries.size;
    for (const [key, entry] of this.entries) {
      if (now - entry.at > this.retentionMs) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
    const removed = before - this.entries.size;
    if (removed > 0) this.dirty = true;
    return removed;
  }

  private pruneIfDue(now: number): void {
    if (now - this.lastPrune >= PRUNE_EVERY_MS || this.entries.size > this.maxEntries) this.prune();
  }

  /**
   * Writes are serialized; the value is taken when a write starts, so callers
   * that arrive while one is queued share it (it will contain their change).
   * Each write goes to the other generation's key.
   */
  private persist(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writeTail.then(async () => {
      this.queuedWrite = null;
      this.dirty = false;
      const generation = this.generation + 1;
      // Odd generations to the main key, even ones to `.b`: the other key always holds the previous one.
      const slot = this.slots()[(generation + 1) % 2]!;
      await this.store.set(slot, this.serialize(generation));
      this.generation = generation;
      this.writeSucceeded();
    });
    this.queuedWrite = write;
    this.writeTail = write.catch((error: unknown) => {
      this.dirty = true;
      this.writeFailed(error);
    });
    return write;
  }

  private writeSucceeded(): void {
    this.retryAttempt = 0;
    if (this.retryTimer !== undefined) this.clock.clearTimeout?.(this.retryTimer);
    this.retryTimer = undefined;
    if (this.failingNow) {
      this.failingNow = false;
      this.logger.info('notification ledger written again');
      this.emitFailing(false);
    }
  }

  private writeFailed(error: unknown): void {
    this.failures += 1;
    this.logger.error('notification ledger could not be written', { error: String(error), failures: this.failures });
    if (!this.failingNow) {
      this.failingNow = true;
      this.emitFailing(true);
    }
    if (this.retryTimer !== undefined || !this.clock.setTimeout) return;
    const delay = fullJitter(WRITE_RETRY, this.retryAttempt, this.random);
    this.retryAttempt += 1;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.dirty) void this.persist().catch(() => {});
    }, delay);
  }

  private emitFailing(failing: boolean): void {
    for (const listener of this.failingListeners) {
      try {
        listener(failing);
      } catch (error) {
        this.logger.error('ledger listener failed', { error: String(error) });
      }
    }
  }

  private serialize(generation: number): StoredLedger {
    return {
      version: 2,
      generation,
      cursor: this.currentCursor,
      entries: [...this.entries.values()].map(({ taskId, status, outcome, at }) => ({ taskId, status, outcome, at })),
    };
  }

  private restore(stored: StoredLedger): void {
    this.currentCursor = stored.cursor;
    this.generation = stored.generation ?? 0;
    for (const entry of [...stored.entries].sort((a, b) => a.at - b.at)) {
      this.entries.set(keyOf(entry.taskId, entry.status), entry);
    }
    if (this.prune() > 0) void this.persist().catch(() => {});
  }
}
