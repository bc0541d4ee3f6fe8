/** Domain objects → view objects (plain JSON for the renderer), with long texts shortened. */
import type { ConversationChange, Task } from '../domain/types.ts';
import { truncate } from '../notifications/text.ts';
import type { ChangeView, FieldChangeView, TaskView } from './view-types.ts';

export interface ViewTextOptions {
  readonly textMax: number;
}

const short = (text: string | null, options: ViewTextOptions): string | null => (text === null ? null : truncate(text, options.textMax));

export function toTaskView(task: Task, flags: { unseen: boolean; muted: boolean }, options: ViewTextOptions): TaskView {
  return {
    id: task.id,
    title: truncate(task.title, options.textMax),
    status: task.status,
    agentName: task.agentName ?? null,
    result: short(task.result, options),
    error: short(task.error, options),
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    completedAt: task.completedAt,
    updatedAt: task.updatedAt,
    unseen: flags.unseen,
    muted: flags.muted,
  };
}

export function toChangeView(change: ConversationChange, unread: boolean, options: ViewTextOptions): ChangeView {
  const fields: FieldChangeView[] = (change.fields ?? []).map((field) =>
    field.before === undefined
      ? { name: field.name, after: short(field.after, options) }
      : { name: field.name, before: short(field.before, options), after: short(field.after, options) },
  );
  return {
    id: change.id,
    kind: change.kind,
    conversationId: change.conversationId,
    at: change.at,
    summary: truncate(change.summary, options.textMax),
    fields,
    unread,
  };
}
