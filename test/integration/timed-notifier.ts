import type { NotificationRequest } from '../../main/core/ports.ts';
import { RecordingNotifier } from '../fakes/recording-notifier.ts';

/** Task ids a request stands for: the task of a task notification, every task of a summary. */
function taskIdsOf(request: NotificationRequest): string[] {
  if (request.kind === 'task') return [request.taskId];
  if (request.kind === 'summary') return request.tasks.map((task) => task.taskId);
  return [];
}

/**
 * A RecordingNotifier that also notes when each request was shown (wall
 * clock), for commit → notification latency. One instance can outlive several
 * cores, like the OS's notification centre outlives app restarts.
 */
export class TimedNotifier extends RecordingNotifier {
  readonly shownAt: number[] = [];

  override show(request: NotificationRequest): void {
    this.shownAt.push(Date.now());
    super.show(request);
  }

  /** When the first request listing this task was shown, if any. */
  firstShownAt(taskId: string): number | undefined {
    const index = this.requests.findIndex((request) => taskIdsOf(request).includes(taskId));
    return index === -1 ? undefined : this.shownAt[index];
  }

  /** How many times the task was announced (notifications and summaries together). */
  timesAnnounced(taskId: string): number {
    return this.requests.reduce((count, request) => count + taskIdsOf(request).filter((id) => id === taskId).length, 0);
  }

  override clear(): void {
    super.clear();
    this.shownAt.length = 0;
  }
}
