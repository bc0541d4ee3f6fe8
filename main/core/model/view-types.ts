/**
 * What the renderer is sent: plain JSON (no Maps, no Dates, no undefined
 * values that matter), so it crosses IPC unchanged. The renderer gets one
 * `view-snapshot`, then `view-patch` messages that upsert or remove whole
 * contacts and always carry the header.
 */
import type { ConversationChangeKind, Health, Task } from '../domain/types.ts';

/** A task as the tray shows it: the task's own fields (result and error shortened for display) plus view state. */
export interface TaskView
  extends Pick<Task, 'id' | 'title' | 'status' | 'result' | 'error' | 'createdAt' | 'startedAt' | 'completedAt' | 'updatedAt'> {
  readonly agentName: string | null;
  /** Finished since the user last looked at this contact. */
  readonly unseen: boolean;
  /** Its notification was muted (notifications off, paused or quiet hours). */
  readonly muted: boolean;
}

export interface FieldChangeView {
  readonly name: string;
  /** Absent when Beacon did not know the previous value; null when there was none. */
  readonly before?: string | null;
  readonly after: string | null;
}

export interface ChangeView {
  readonly id: string;
  readonly kind: ConversationChangeKind;
  readonly conversationId: string | null;
  readonly at: string;
  readonly summary: string;
  readonly fields: readonly FieldChangeView[];
  readonly unread: boolean;
}

export interface ContactView {
  readonly id: string;
  readonly name: string;
  readonly company: string | null;
  readonly email: string | null;
  readonly archived: boolean;
  /** All active tasks of the contact; `active` lists at most a bounded number of them, oldest first. */
  readonly activeCount: number;
  readonly active: readonly TaskView[];
  /** Recently finished tasks, newest first (bounded). */
  readonly finished: readonly TaskView[];
  /** The ids of `active` and `finished` together in the order the contact view lists them (view-order.ts). */
  readonly taskOrder: readonly string[];
  /** Conversation changes, newest first (bounded). */
  readonly timeline: readonly ChangeView[];
  readonly unreadCount: number;
  readonly unseenFailures: number;
  /** Latest activity (ISO) among its tasks and changes: the tray's sort key. */
  readonly lastActivityAt: string | null;
}

export interface ProfileView {
  readonly email: string;
  readonly displayName: string | null;
  readonly notificationsEnabled: boolean;
}

export interface ViewHeader {
  readonly health: Health;
  readonly profile: ProfileView | null;
  /** Active tasks (pending and in progress) across all contacts. */
  readonly activeCount: number;
  /** Contacts with failures the user has not looked at yet: the tray's attention state. */
  readonly attention: readonly string[];
}

export interface TrayView {
  /** Increases with every message; a patch applies only to the view with `baseVersion`. */
  readonly version: number;
  readonly header: ViewHeader;
  /** Contacts with something to show, in the tray's order (view-order.ts). */
  readonly contacts: readonly ContactView[];
}

export interface ViewPatch {
  readonly version: number;
  readonly baseVersion: number;
  readonly header: ViewHeader;
  /** Contacts added or changed, whole. */
  readonly upserts: readonly ContactView[];
  /** Contacts that no longer have anything to show. */
  readonly removed: readonly string[];
  /** Every contact shown after this patch, by id, in the tray's order: the renderer does not sort. */
  readonly order: readonly string[];
}

export type ViewMessage = { readonly type: 'view-snapshot'; readonly view: TrayView } | { readonly type: 'view-patch'; readonly patch: ViewPatch };
