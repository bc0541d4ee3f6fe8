/**
 * Beacon's domain, as the core sees it after validation (see payloads/): camel
 * case, ISO timestamps as strings, nothing optional that the tray relies on.
 */
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** The statuses that raise a notification. `cancelled` ends a task silently. */
export const NOTIFIED_STATUSES = ['completed', 'failed'] as const;
export type NotifiedStatus = (typeof NOTIFIED_STATUSES)[number];

export interface Task {
  readonly id: string;
  readonly agentId: string;
  readonly contactId: string;
  readonly title: string;
  readonly status: TaskStatus;
  readonly result: string | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly updatedAt: string;
  /** Name of the AI agent, when the snapshot provided it. */
  readonly agentName?: string | undefined;
}

export interface Contact {
  readonly id: string;
  readonly fullName: string;
  readonly company: string | null;
  readonly email: string | null;
  readonly archivedAt: string | null;
  readonly updatedAt: string;
}

export interface Profile {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly notificationsEnabled: boolean;
}

export const CONVERSATION_CHANGE_KINDS = ['metadata', 'note', 'label-added', 'label-removed', 'contact-edit'] as const;
export type ConversationChangeKind = (typeof CONVERSATION_CHANGE_KINDS)[number];

/** One entry of a contact's conversation timeline. */
export interface ConversationChange {
  /** Stable id of this change (row id + change time), so a change seen twice is kept once. */
  readonly id: string;
  readonly kind: ConversationChangeKind;
  readonly contactId: string;
  readonly conversationId: string | null;
  readonly at: string;
  /** Human-readable summary, e.g. `priority: normal → urgent`, the note body, the label. */
  readonly summary: string;
  /** Field-level before → after for metadata and contact edits, where known. */
  readonly fields?: ReadonlyArray<{ readonly name: string; readonly before: string | null | undefined; readonly after: string | null }>;
}

export type Health = 'live' | 'delayed' | 'polling' | 'offline' | 'signed-out';

/** A conversation's AI metadata (table conversation_metadata), one row per conversation and contact. */
export interface ConversationMetadata {
  readonly id: string;
  readonly conversationId: string;
  readonly contactId: string;
  readonly status: string | null;
  readonly priority: string | null;
  readonly sentiment: string | null;
  readonly summary: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A note on a conversation (table conversation_notes). */
export interface ConversationNote {
  readonly id: string;
  readonly conversationId: string;
  readonly contactId: string;
  readonly authorId: string | null;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A label on a conversation (table conversation_contact_labels). */
export interface ConversationLabel {
  readonly id: string;
  readonly conversationId: string;
  readonly contactId: string;
  readonly label: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
