/**
 * The core's Notifier port on Electron's Notification (NOT-01…NOT-05).
 *
 * - One live notification per tag: a new request with the same tag closes the
 *   previous one first (one toast per contact, one burst summary).
 * - Live notifications stay referenced in a Map until clicked, closed or
 *   failed: a garbage-collected Notification stops delivering clicks.
 * - A click opens the tray window on the contact (or just the window, for a
 *   summary of several contacts); the buttons open the contact or the CRM.
 * - `failed` (e.g. an unsigned macOS build) is logged, never thrown.
 * - Where the OS has no notifications, nothing is shown; the request is still
 *   listed under the tray's "Recent notifications" and the tray icon carries
 *   the attention state.
 */
import { Notification } from 'electron';
import type { NotificationConstructorOptions } from 'electron';
import { silentLogger, systemClock, type Clock, type Logger, type NotificationRequest, type Notifier, type RecentNotification } from '../core/ports.ts';
import { planNotification, type NotificationActionKind } from './notification-options.ts';
import { Emitter } from '../core/events/emitter.ts';

/** The parts of an Electron Notification used here. */
export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** Windows' activation details (Notification.handleActivation, Electron 42+). */
export interface ActivationDetails {
  readonly type: string;
  readonly arguments: string;
  readonly actionIndex?: number;
}

export interface NotificationClass {
  new (options: NotificationConstructorOptions): NotificationLike;
  isSupported(): boolean;
  handleActivation?: (callback: (details: ActivationDetails) => void) => void;
}

export interface ElectronNotifierOptions {
  /** Opens the tray window, focused on the contact when there is one. */
  readonly onOpen: (contactId: string | null) => void;
  readonly onOpenInCrm: (contactId: string) => void;
  /** Whether IT configured CRM links (read at each notification: policy can arrive later). */
  readonly crmLinks?: () => boolean;
  readonly Notification?: NotificationClass;
  readonly platform?: NodeJS.Platform;
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
  readonly recentLimit?: number;
}

interface LiveEntry {
  readonly id: string;
  readonly tag: string;
  readonly notification: NotificationLike;
  readonly actions: readonly NotificationActionKind[];
  readonly contactId: string | null;
}

const DEFAULT_RECENT_LIMIT = 5;

export class ElectronNotifier implements Notifier {
  /** False where the OS cannot show notifications (AppState.notificationsSupported). */
  readonly supported: boolean;
  private readonly options: ElectronNotifierOptions;
  private readonly NotificationImpl: NotificationClass;
  private readonly platform: NodeJS.Platform;
  private readonly logger: Logger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly live = new Map<string, LiveEntry>();
  private recentList: Array<RecentNotification & { readonly tag: string }> = [];
  private readonly events = new Emitter<{ recent: [] }>();
  private nextId = 1;
  /** Bumped by closeAll: notifications shown before it no longer open anything. */
  private generation = 0;

  constructor(options: ElectronNotifierOptions) {
    this.options = options;
    this.NotificationImpl = options.Notification ?? (Notification as unknown as NotificationClass);
    this.platform = options.platform ?? process.platform;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    let supported = false;
    try {
      supported = this.NotificationImpl.isSupported();
    } catch (error) {
      this.logger.warn('could not tell whether notifications are supported; assuming not', { error: String(error) });
    }
    this.supported = supported;
    if (!supported) this.logger.warn('this system cannot show notifications; the tray icon carries the attention state');
  }

  show(request: NotificationRequest): void {
    const id = `n${this.nextId++}`;
    this.remember({ id, tag: request.tag, title: request.title, contactId: request.contactId, at: this.clock.now() });
    if (!this.supported) return;

    this.closeTag(request.tag);
    const plan = planNotification(request, { platform: this.platform, crmLinks: this.options.crmLinks?.() ?? false });
    let notification: NotificationLike;
    try {
      notification = new this.NotificationImpl(plan.options);
    } catch (error) {
      this.logger.error('could not create a notification', { tag: request.tag, error: String(error) });
      return;
    }
    const entry: LiveEntry = { id, tag: request.tag, notification, actions: plan.actions, contactId: plan.contactId };
    this.live.set(request.tag, entry);
    const generation = this.generation;
    notification.on('click', () => {
      this.drop(entry);
      // Shown before a sign-out (closeAll): inert, it belongs to the previous user.
      if (generation !== this.generation) return;
      this.options.onOpen(entry.contactId);
    });
    notification.on('action', ((details: { actionIndex?: number } | undefined, legacyIndex?: number) => {
      this.drop(entry);
      if (generation !== this.generation) return;
      this.runAction(entry, details?.actionIndex ?? legacyIndex);
    }) as (...args: never[]) => void);
    notification.on('close', () => this.drop(entry));
    notification.on('failed', ((_event: unknown, error: unknown) => {
      this.drop(entry);
      this.logger.warn('the OS did not show a notification', { tag: request.tag, error: String(error) });
    }) as (...args: never[]) => void);
    try {
      notification.show();
    } catch (error) {
      this.drop(entry);
      this.logger.error('could not show a notification', { tag: request.tag, error: String(error) });
    }
  }

  /**
   * Windows: clicks on toasts left in Action Center (after a restart, or once
   * the object is gone) arrive here instead of on a Notification. A toast
   * Beacon still holds gets its own click event as well, so only those it no
   * longer holds are routed: to the recent entry the arguments name, or to the
   * window. Does nothing where the API does not exist.
   */
  handleActivation(): boolean {
    const register = this.NotificationImpl.handleActivation;
    if (typeof register !== 'function') return false;
    register.call(this.NotificationImpl, (details) => {
      const args = typeof details?.arguments === 'string' ? details.arguments : '';
      const liveEntry = [...this.live.values()].find((entry) => args.includes(entry.tag));
      if (liveEntry) return; // its own click/action handler runs
      const known = this.recentList.find((entry) => entry.contactId !== null && args.includes(entry.contactId));
      this.logger.info('notification activated from Action Center', { type: String(details?.type) });
      this.options.onOpen(known?.contactId ?? null);
    });
    return true;
  }

  /** The last few notifications, newest first (the tray's "Recent notifications"). */
  recent(): readonly RecentNotification[] {
    return this.recentList.map(({ id, title, contactId, at }) => ({ id, title, contactId, at }));
  }

  onRecentChange(listener: () => void): () => void {
    return this.events.on('recent', listener);
  }

  /** The live notification for a tag (tests and the e2e hooks use it to click one). */
  liveNotification(tag: string): NotificationLike | undefined {
    return this.live.get(tag)?.notification;
  }

  liveCount(): number {
    return this.live.size;
  }

  /**
   * Closes every live notification (sign-out, quit) and makes everything shown
   * so far inert: a late click (or an Action Center activation) on one of them
   * opens nothing of the previous user; the recent list is emptied too.
   */
  closeAll(): void {
    this.generation += 1;
    for (const tag of [...this.live.keys()]) this.closeTag(tag);
    if (this.recentList.length > 0) {
      this.recentList = [];
      this.events.emit('recent');
    }
  }

  private runAction(entry: LiveEntry, index: number | undefined): void {
    const kind = index === undefined ? undefined : entry.actions[index];
    if (kind === 'open-in-crm' && entry.contactId) this.options.onOpenInCrm(entry.contactId);
    else if (kind === 'open-contact') this.options.onOpen(entry.contactId);
    else this.logger.warn('unknown notification action', { index });
  }

  private closeTag(tag: string): void {
    const previous = this.live.get(tag);
    if (!previous) return;
    this.live.delete(tag);
    try {
      previous.notification.close();
    } catch (error) {
      this.logger.warn('could not close a replaced notification', { tag, error: String(error) });
    }
  }

  /** Forgets an entry, unless a newer notification already took its tag. */
  private drop(entry: LiveEntry): void {
    if (this.live.get(entry.tag) === entry) this.live.delete(entry.tag);
  }

  private remember(item: RecentNotification & { readonly tag: string }): void {
    const limit = this.options.recentLimit ?? DEFAULT_RECENT_LIMIT;
    // One entry per tag, like the live notifications: the newest replaces the older one.
    this.recentList = [item, ...this.recentList.filter((entry) => entry.tag !== item.tag)].slice(0, limit);
    this.events.emit('recent');
  }
}
