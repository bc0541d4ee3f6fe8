/**
 * The headless runner's notifier: each notification becomes one event line in
 * the documented shapes (README "Headless runner").
 */
import type { NotificationRequest, Notifier } from '../../main/core/ports.ts';

export type HeadlessLine =
  | { type: 'notification'; taskId: string; contactId: string; status: 'completed' | 'failed'; title: string; body: string; urgency: string }
  | { type: 'summary'; reason: string; taskIds: string[]; tasks: Array<{ taskId: string; contactId: string; status: string }>; title: string; body: string; urgency: string }
  | { type: 'conversation'; contactId: string; changeId: string; title: string; body: string }
  | { type: 'health'; state: string; reason: string | null; detail: string | null; lastSyncAt: string | null }
  | { type: 'session'; signedIn: boolean; email: string | null; reason?: string }
  | { type: 'signal'; signal: string }
  | { type: 'error'; message: string };

function toLine(request: NotificationRequest): HeadlessLine {
  switch (request.kind) {
    case 'task':
      return {
        type: 'notification',
        taskId: request.taskId,
        contactId: request.contactId,
        status: request.status,
        title: request.title,
        body: request.body,
        urgency: request.urgency,
      };
    case 'summary':
      return {
        type: 'summary',
        reason: request.reason,
        taskIds: request.tasks.map((t) => t.taskId),
        tasks: request.tasks.map((t) => ({ taskId: t.taskId, contactId: t.contactId, status: t.status })),
        title: request.title,
        body: request.body,
        urgency: request.urgency,
      };
    case 'conversation':
      return { type: 'conversation', contactId: request.contactId, changeId: request.changeId, title: request.title, body: request.body };
  }
}

export class LineNotifier implements Notifier {
  private readonly emit: (line: HeadlessLine) => void;
  constructor(emit: (line: HeadlessLine) => void) {
    this.emit = emit;
  }

  show(request: NotificationRequest): void {
    this.emit(toLine(request));
  }
}
