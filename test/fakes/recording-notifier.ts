import type { NotificationRequest, Notifier } from '../../main/core/ports.ts';

/** A Notifier that keeps every request, for assertions. */
export class RecordingNotifier implements Notifier {
  readonly requests: NotificationRequest[] = [];

  /** How often closeAll was called. */
  closedAll = 0;

  show(request: NotificationRequest): void {
    this.requests.push(request);
  }

  closeAll(): void {
    this.closedAll += 1;
  }

  /** Every `taskId:status` the user was told about, across task notifications and summaries, in order. */
  announced(): string[] {
    const out: string[] = [];
    for (const request of this.requests) {
      if (request.kind === 'task') out.push(`${request.taskId}:${request.status}`);
      else if (request.kind === 'summary') for (const task of request.tasks) out.push(`${task.taskId}:${task.status}`);
    }
    return out;
  }

  clear(): void {
    this.requests.length = 0;
  }
}
