/**
 * The tray's one ordering, decided here and carried by the view: the renderer
 * shows contacts in the order of `TrayView.contacts` / `ViewPatch.order`, and a
 * contact's tasks in the order of `ContactView.taskOrder`. It never sorts with
 * a comparator of its own.
 */
import { compareTimestamps } from '../domain/time.ts';
import type { TaskView } from './view-types.ts';

/** Contacts: latest activity first (microsecond precision), then by id so ties never flip. */
export function compareContactsByActivity(a: { readonly id: string; readonly lastActivityAt: string | null }, b: { readonly id: string; readonly lastActivityAt: string | null }): number {
  return compareTimestamps(b.lastActivityAt, a.lastActivityAt) || a.id.localeCompare(b.id);
}

/** Active tasks in a card: oldest first (the one waiting longest on top), then by id. */
export function compareActiveTasks(a: { readonly id: string; readonly createdAt: string }, b: { readonly id: string; readonly createdAt: string }): number {
  return compareTimestamps(a.createdAt, b.createdAt) || a.id.localeCompare(b.id);
}

/** A contact's task history (active and finished together): newest first by its last change, then by id. */
export function taskHistoryOrder(tasks: readonly TaskView[]): string[] {
  const at = (task: TaskView): string => task.completedAt ?? task.updatedAt ?? task.createdAt;
  return [...tasks].sort((a, b) => compareTimestamps(at(b), at(a)) || a.id.localeCompare(b.id)).map((task) => task.id);
}
