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
 */
import { z } from 'zod';
import { NOTIFIED_STATUSES, type NotifiedStatus } from '../domain/types.ts';
import { silentLogger, type Clock, type KeyValueStore, type Logger } from '../ports.ts';
import { timestampMicros } from '../domain/time.ts';

/** shown: a notification or summary listed it; muted: disabled, quiet hours or pause; seen: baseline on first run. */
export type LedgerOutcome = 'shown' | 'muted' | 'seen';

export interface LedgerRecord {
  readonly taskId: string;
  readonly status: NotifiedStatus;
  readonly outcome: LedgerOutcome;
}

export interface NotificationLedgerOptions {
  readonly store: KeyValueStore;
  readonly clock: Pick<Clock, 'now'>;
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

const storedLedgerSchema = z.object({
  version: z.literal(1),
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
  private readonly clock: Pick<Clock, 'now'>;
  private readonly logger: Logger;
  private readonly key: string;
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
    this.logger = options.logger ?? silentLogger;
    this.key = options.key ?? DEFAULT_LEDGER_KEY;
    this.retentionMs = (options.retentionDays ?? 30) * DAY_MS;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** Loads the ledger. A missing value is an empty ledger; a corrupt one too, with a warning. Never throws. */
  static async load(options: NotificationLedgerOptions): Promise<NotificationLedger> {
    const ledger = new NotificationLedger(options);
    let raw: unknown;
    try {
      raw = await ledger.store.get(ledger.key);
    } catch (error) {
      ledger.logger.warn('notification ledger could not be read; starting empty', { error: String(error) });
      return ledger;
    }
    if (raw === undefined) return ledger;
    const parsed = storedLedgerSchema.safeParse(raw);
    if (!parsed.success) {
      ledger.logger.warn('notification ledger is corrupt; starting empty', { issues: parsed.error.issues.length });
      return ledger;
    }
    ledger.restore(parsed.data);
    return ledger;
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
   */
  private persist(): Promise<void> {
    if (this.queuedWrite) return this.queuedWrite;
    const write = this.writeTail.then(() => {
      this.queuedWrite = null;
      this.dirty = false;
      return this.store.set(this.key, this.serialize());
    });
    this.queuedWrite = write;
    this.writeTail = write.catch((error: unknown) => {
      this.dirty = true;
      this.logger.error('notification ledger could not be written', { error: String(error) });
    });
    return write;
  }

  private serialize(): StoredLedger {
    return {
      version: 1,
      cursor: this.currentCursor,
      entries: [...this.entries.values()].map(({ taskId, status, outcome, at }) => ({ taskId, status, outcome, at })),
    };
  }

  private restore(stored: StoredLedger): void {
    this.currentCursor = stored.cursor;
    for (const entry of [...stored.entries].sort((a, b) => a.at - b.at)) {
      this.entries.set(keyOf(entry.taskId, entry.status), entry);
    }
    if (this.prune() > 0) void this.persist().catch(() => {});
  }
}
