/**
 * The preview's notifier: instead of OS toasts, every notification the core
 * asks for is kept in a list (tests read it) and handed to the page, which
 * shows it in its "Notifications (preview)" overlay.
 */
import { randomUUID } from 'node:crypto';
import type { NotificationRequest, Notifier } from '../main/core/ports.ts';
import { Emitter } from '../main/core/events/emitter.ts';

export interface PreviewNotification {
  /** The bridge's id for it (a click names it). */
  readonly id: string;
  readonly at: number;
  readonly request: NotificationRequest;
  /** The contact a click opens; null for a summary across several contacts. */
  readonly contactId: string | null;
}

export type NotificationListener = (notification: PreviewNotification) => void;

export class PreviewNotifier implements Notifier {
  /** Everything shown since start, oldest first. */
  readonly shown: PreviewNotification[] = [];
  private readonly events = new Emitter<{ notification: Parameters<NotificationListener> }>();
  private readonly limit: number;

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? 500;
  }

  show(request: NotificationRequest): void {
    const notification: PreviewNotification = { id: randomUUID(), at: Date.now(), request, contactId: request.contactId };
    this.shown.push(notification);
    // A long demo must not grow without bound.
    if (this.shown.length > this.limit) this.shown.splice(0, this.shown.length - this.limit);
    this.events.emit('notification', notification);
  }

  find(id: string): PreviewNotification | undefined {
    return this.shown.find((notification) => notification.id === id);
  }

  onShow(listener: NotificationListener): () => void {
    return this.events.on('notification', listener);
  }
}
