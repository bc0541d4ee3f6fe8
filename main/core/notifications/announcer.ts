/**
 * The announcer (notification rules): which terminal transitions become which OS
 * notifications, and when.
 *
 * - Exactly once per (task, final status): the ledger is checked when a
 *   transition is offered and written (durably) before anything is shown,
 *   whatever the source and however often the same transition is seen.
 * - Coalescing: transitions are gathered for a short window (`coalesceMs`)
 *   and flushed together: one notification per contact (tag = contact id, so
 *   a newer one replaces the older), a contact summary when one contact has
 *   several tasks in the batch, one burst summary when more than
 *   `burstContacts` contacts are in it. With `leadingEdge` (the default) the
 *   first transition after a quiet window is flushed at once and the window
 *   opens behind it, so a lone task is announced without delay (the latency
 *   target is well under the window) while a burst still gives at most one
 *   flush per window.
 * - `startup` transitions (finished while Beacon was closed) wait for the
 *   window and always give one "while you were away" summary.
 * - Muting (profile switch off, pause, quiet hours) is decided when a batch is
 *   flushed. Muted transitions are recorded in the ledger as `muted` (never
 *   shown later as stale alerts) and reported through `onMuted` so the tray
 *   keeps them unseen. When quiet hours or a pause end nothing is replayed:
 *   the tray already shows what happened, and a late pile of toasts about old
 *   tasks helps nobody.
 * - Conversation changes give notifications only for kinds the user opted
 *   into, never from the startup snapshot, and never while muted (the tray
 *   shows them as unread either way).
 */
import type { ConversationChange, NotifiedStatus, Task } from '../domain/types.ts';
import { silentLogger, type Clock, type Logger, type NotificationRequest, type Notifier } from '../ports.ts';
import { composeAway, composeConversation, composeLive, type BatchItem, type ContactNames } from './messages.ts';
import type { LedgerRecord, NotificationLedger } from './ledger.ts';
import { isWithinQuietHours } from './quiet-hours.ts';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings } from './settings.ts';

export type TransitionSource = 'live' | 'reconcile' | 'startup';

export interface TerminalTransition {
  readonly task: Task;
  readonly status: NotifiedStatus;
  readonly source: TransitionSource;
}

export type MuteReason = 'disabled' | 'paused' | 'quiet-hours';

export interface MutedTask {
  readonly taskId: string;
  readonly contactId: string;
  readonly status: NotifiedStatus;
  readonly reason: MuteReason;
}

export interface AnnouncerOptions {
  readonly notifier: Notifier;
  readonly ledger: NotificationLedger;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** `user_profiles.notifications_enabled` as last seen; update with setNotificationsEnabled. */
  readonly notificationsEnabled: boolean;
  readonly settings?: NotificationSettings;
  /** Display name of a contact for titles (the tray model knows them). */
  readonly contactName?: ContactNames;
  /** Muted transitions, for the tray to keep them unseen. */
  readonly onMuted?: (tasks: readonly MutedTask[]) => void;
  /** Coalescing window in ms (default 50: a burst committed together arrives within a few ms, and the window is added to the latency of every non-leading notification; the target is p99 <= 150 ms commit → notification). */
  readonly coalesceMs?: number;
  /** More contacts than this in one batch give a single burst summary (default 3). */
  readonly burstContacts?: number;
  /** Flush the first transition after a quiet window at once (default true). */
  readonly leadingEdge?: boolean;
  /** IANA zone for quiet hours; default the process's local zone. */
  readonly timeZone?: string;
}

const RECENT_CHANGES_MAX = 2_000;
const keyOf = (taskId: string, status: NotifiedStatus): string => `${status}:${taskId}`;

export class Announcer {
  private readonly notifier: Notifier;
  private readonly ledger: NotificationLedger;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly contactName: ContactNames;
  private readonly onMuted: ((tasks: readonly MutedTask[]) => void) | undefined;
  private readonly coalesceMs: number;
  private readonly burstContacts: number;
  private readonly leadingEdge: boolean;
  private readonly timeZone: string | undefined;
  private enabled: boolean;
  private settings: NotificationSettings;

  private live: BatchItem[] = [];
  private away: BatchItem[] = [];
  private conversation: ConversationChange[] = [];
  private readonly pending = new Set<string>();
  private readonly recentChanges = new Set<string>();
  private timer: unknown = null;
  private closed = false;
  /** Bumped at sign-out: a flush still writing the ledger for the previous user shows nothing. */
  private epoch = 0;
  private readonly inflight = new Set<Promise<void>>();

  constructor(options: AnnouncerOptions) {
    this.notifier = options.notifier;
    this.ledger = options.ledger;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.contactName = options.contactName ?? (() => null);
    this.onMuted = options.onMuted;
    this.coalesceMs = options.coalesceMs ?? 50;
    this.burstContacts = options.burstContacts ?? 3;
    this.leadingEdge = options.leadingEdge ?? true;
    this.timeZone = options.timeZone;
    this.enabled = options.notificationsEnabled;
    this.settings = options.settings ?? DEFAULT_NOTIFICATION_SETTINGS;
  }

  /** Takes terminal transitions as they are detected. Duplicates and already-notified ones are dropped here. */
  offer(transitions: readonly TerminalTransition[]): void {
    if (this.closed) return;
    let live = false;
    let any = false;
    for (const { task, status, source } of transitions) {
      if (status !== 'completed' && status !== 'failed') continue;
      if (this.ledger.has(task.id, status)) {
        this.ledger.touch(task.id, status);
        continue;
      }
      const key = keyOf(task.id, status);
      if (this.pending.has(key)) continue;
      this.pending.add(key);
      any = true;
      if (source === 'startup') this.away.push({ task, status });
      else {
        this.live.push({ task, status });
        live = true;
      }
    }
    if (any) this.schedule(live);
  }

  /** Takes conversation changes (already converted and de-duplicated by the model's converter). */
  offerConversation(changes: readonly ConversationChange[], source: TransitionSource): void {
    if (this.closed || source === 'startup') return;
    let any = false;
    for (const change of changes) {
      if (!this.settings.conversationKinds[change.kind]) continue;
      if (this.recentChanges.has(change.id)) continue;
      this.rememberChange(change.id);
      this.conversation.push(change);
      any = true;
    }
    if (any) this.schedule(true);
  }

  /**
   * Records transitions as known without telling anyone: the first run's
   * baseline (tasks that finished before Beacon ever ran are not news).
   */
  markSeen(transitions: ReadonlyArray<Pick<TerminalTransition, 'task' | 'status'>>): Promise<void> {
    return this.ledger.record(transitions.map(({ task, status }) => ({ taskId: task.id, status, outcome: 'seen' })));
  }

  setNotificationsEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  setSettings(settings: NotificationSettings): void {
    this.settings = settings;
  }

  /** Why notifications are muted at `at` (default now), or null when they are not. */
  muteReason(at: number = this.clock.now()): MuteReason | null {
    if (!this.enabled) return 'disabled';
    if (this.settings.pausedUntil !== null && at < this.settings.pausedUntil) return 'paused';
    if (isWithinQuietHours(this.settings.quietHours, at, this.timeZone)) return 'quiet-hours';
    return null;
  }

  /** Flushes whatever is gathered now, without waiting for the window. */
  flushNow(): Promise<void> {
    this.flush(true);
    return this.idle();
  }

  /** Resolves once every flush started so far has written the ledger and shown its notifications. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight);
  }

  /**
   * Sign-out: drops everything gathered and not shown yet (it belongs to the
   * user who left) and closes every notification shown so far. The ledger keeps
   * its records: a later sign-in of the same user does not repeat them.
   */
  discardAndCloseAll(): void {
    for (const item of [...this.live, ...this.away]) this.pending.delete(keyOf(item.task.id, item.status));
    this.live = [];
    this.away = [];
    this.conversation = [];
    this.epoch += 1;
    try {
      this.notifier.closeAll?.();
    } catch (error) {
      this.logger.error('notifier failed to close notifications', { error: String(error) });
    }
  }

  /** Flushes what is pending, stops the window timer and ignores later offers. */
  async close(): Promise<void> {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.flush(true);
    this.closed = true;
    await this.idle();
  }

  private schedule(hasImmediate: boolean): void {
    if (this.timer !== null) return;
    if (hasImmediate && this.leadingEdge) this.flush(false);
    this.timer = this.clock.setTimeout(() => this.windowEnded(), this.coalesceMs);
  }

  private windowEnded(): void {
    this.timer = null;
    if (this.live.length === 0 && this.away.length === 0 && this.conversation.length === 0) return;
    this.flush(true);
    // Keep a window open behind the flush: a sustained stream is flushed at most once per window.
    this.timer = this.clock.setTimeout(() => this.windowEnded(), this.coalesceMs);
  }

  private flush(includeAway: boolean): void {
    const live = this.take(this.live.splice(0));
    const away = includeAway ? this.take(this.away.splice(0)) : [];
    const conversation = this.conversation.splice(0);
    const tasks = [...away, ...live];
    if (tasks.length === 0 && conversation.length === 0) return;

    const reason = this.muteReason();
    if (reason) {
      if (tasks.length > 0) {
        this.track(this.ledger.record(tasks.map((item) => record(item, 'muted'))));
        this.reportMuted(tasks, reason);
      }
      return;
    }

    const requests: NotificationRequest[] = [];
    const awaySummary = composeAway(away, this.contactName);
    if (awaySummary) requests.push(awaySummary);
    requests.push(...composeLive(live, { burstContacts: this.burstContacts, contactName: this.contactName }));
    requests.push(...composeConversation(conversation, this.contactName));

    // Record first, show second (see ledger.ts). If the write fails the ledger has logged it and
    // keeps the record in memory; showing anyway risks a double only after a crash, not showing
    // would lose the notification for sure.
    const durable = tasks.length > 0 ? this.ledger.record(tasks.map((item) => record(item, 'shown'))) : Promise.resolve();
    const epoch = this.epoch;
    const showIfCurrent = () => {
      if (epoch === this.epoch) this.show(requests);
    };
    this.track(durable.then(showIfCurrent, showIfCurrent));
  }

  /** Removes items from the pending set and drops any the ledger got meanwhile (e.g. a baseline). */
  private take(items: BatchItem[]): BatchItem[] {
    for (const item of items) this.pending.delete(keyOf(item.task.id, item.status));
    return items.filter((item) => !this.ledger.has(item.task.id, item.status));
  }

  private show(requests: readonly NotificationRequest[]): void {
    for (const request of requests) {
      try {
        this.notifier.show(request);
      } catch (error) {
        this.logger.error('notifier failed to show a notification', { tag: request.tag, error: String(error) });
      }
    }
  }

  private reportMuted(tasks: readonly BatchItem[], reason: MuteReason): void {
    this.logger.info('notifications muted', { reason, count: tasks.length });
    if (!this.onMuted) return;
    try {
      this.onMuted(tasks.map(({ task, status }) => ({ taskId: task.id, contactId: task.contactId, status, reason })));
    } catch (error) {
      this.logger.error('onMuted listener failed', { error: String(error) });
    }
  }

  private rememberChange(id: string): void {
    this.recentChanges.add(id);
    if (this.recentChanges.size > RECENT_CHANGES_MAX) {
      const oldest = this.recentChanges.values().next().value;
      if (oldest !== undefined) this.recentChanges.delete(oldest);
    }
  }

  private track(work: Promise<void>): void {
    const settled = work.catch(() => {});
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
  }
}

function record(item: BatchItem, outcome: LedgerRecord['outcome']): LedgerRecord {
  return { taskId: item.task.id, status: item.status, outcome };
}
