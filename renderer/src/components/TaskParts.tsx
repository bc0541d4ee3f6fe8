/** Small pieces of a task or change row, shared by the overview and a contact's view. */
import type { ChangeView, TaskView } from '../../../main/core/ipc/contract.ts';
import { epochOf, formatAgo, formatElapsed } from '../format/time.ts';

/** How long an active task has been going (or waiting): "3 min". */
export function ElapsedTime({ task, now }: { task: TaskView; now: number }) {
  const since = epochOf(task.startedAt) ?? epochOf(task.createdAt);
  if (since === null) return null;
  return (
    <time className="when" dateTime={new Date(since).toISOString()}>
      {formatElapsed(since, now)}
    </time>
  );
}

/** When something happened: "5 minutes ago". */
export function AgoTime({ iso, now }: { iso: string | null; now: number }) {
  const at = epochOf(iso);
  if (at === null) return null;
  return (
    <time className="when" dateTime={new Date(at).toISOString()}>
      {formatAgo(at, now)}
    </time>
  );
}

export function finishedAt(task: TaskView): string | null {
  return task.completedAt ?? task.updatedAt;
}

/** A finished task's result, or its error. */
export function Outcome({ task }: { task: TaskView }) {
  if (task.error && (task.status === 'failed' || !task.result)) return <span className="task-error">{`Error: ${task.error}`}</span>;
  if (task.result) return <span className="task-result">{`Result: ${task.result}`}</span>;
  return null;
}

export function NewBadge() {
  return <span className="new-badge">New</span>;
}

export function unreadChanges(contact: { timeline: readonly ChangeView[] }): readonly ChangeView[] {
  return contact.timeline.filter((change) => change.unread);
}
