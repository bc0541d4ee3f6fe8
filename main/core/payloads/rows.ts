/**
 * Row schemas of the six tables Beacon reads: snake_case as PostgREST, the
 * snapshot RPC and Realtime send them, parsed into the domain types. Unknown
 * columns are ignored (a CRM may have more); a missing column, a wrong type or
 * an unknown status is an error, never a default.
 */
import { z } from 'zod';
import {
  TASK_STATUSES,
  type Contact,
  type ConversationLabel,
  type ConversationMetadata,
  type ConversationNote,
  type Profile,
  type Task,
} from '../domain/types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Postgres timestamptz as to_jsonb / Realtime / PostgREST write it: ISO date, time with
// optional fraction (kept as is: the microseconds order updates within a millisecond),
// and a zone (Z or ±hh[:mm]).
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

export const idSchema = z.string().regex(UUID, 'not a uuid');
export const timestampSchema = z
  .string()
  .regex(TIMESTAMP, 'not a timestamp with time zone')
  .refine((value) => !Number.isNaN(Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))), 'not a valid date');
const text = z.string();
const nullableText = z.string().nullable();

export const taskRowSchema = z
  .object({
    id: idSchema,
    agent_id: idSchema,
    contact_id: idSchema,
    title: text,
    status: z.enum(TASK_STATUSES, { error: (issue) => `unknown task status ${JSON.stringify(issue.input)}` }),
    result: nullableText,
    error: nullableText,
    created_at: timestampSchema,
    started_at: timestampSchema.nullable(),
    completed_at: timestampSchema.nullable(),
    updated_at: timestampSchema,
    // Only in snapshot rows (joined from ai_agents).
    agent_name: z.string().nullish(),
  })
  .transform(
    (row): Task => ({
      id: row.id,
      agentId: row.agent_id,
      contactId: row.contact_id,
      title: row.title,
      status: row.status,
      result: row.result,
      error: row.error,
      createdAt: row.created_at,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      updatedAt: row.updated_at,
      ...(row.agent_name ? { agentName: row.agent_name } : {}),
    }),
  );

export const contactRowSchema = z
  .object({
    id: idSchema,
    full_name: text,
    company: nullableText,
    email: nullableText,
    archived_at: timestampSchema.nullable(),
    updated_at: timestampSchema,
  })
  .transform(
    (row): Contact => ({
      id: row.id,
      fullName: row.full_name,
      company: row.company,
      email: row.email,
      archivedAt: row.archived_at,
      updatedAt: row.updated_at,
    }),
  );

export const profileRowSchema = z
  .object({
    id: idSchema,
    email: text,
    display_name: nullableText,
    notifications_enabled: z.boolean(),
  })
  .transform(
    (row): Profile => ({
      id: row.id,
      email: row.email,
      displayName: row.display_name,
      notificationsEnabled: row.notifications_enabled,
    }),
  );

export const conversationMetadataRowSchema = z
  .object({
    id: idSchema,
    conversation_id: idSchema,
    contact_id: idSchema,
    status: nullableText,
    priority: nullableText,
    sentiment: nullableText,
    summary: nullableText,
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .transform(
    (row): ConversationMetadata => ({
      id: row.id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      status: row.status,
      priority: row.priority,
      sentiment: row.sentiment,
      summary: row.summary,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );

export const conversationNoteRowSchema = z
  .object({
    id: idSchema,
    conversation_id: idSchema,
    contact_id: idSchema,
    author_id: idSchema.nullable(),
    body: text,
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .transform(
    (row): ConversationNote => ({
      id: row.id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      authorId: row.author_id,
      body: row.body,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );

export const conversationLabelRowSchema = z
  .object({
    id: idSchema,
    conversation_id: idSchema,
    contact_id: idSchema,
    label: text,
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .transform(
    (row): ConversationLabel => ({
      id: row.id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      label: row.label,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );

/** The tables Beacon listens to, each with the domain type its rows become. */
export interface RowTypes {
  agent_tasks: Task;
  contacts: Contact;
  user_profiles: Profile;
  conversation_metadata: ConversationMetadata;
  conversation_notes: ConversationNote;
  conversation_contact_labels: ConversationLabel;
}
export type TableName = keyof RowTypes;

export const TABLE_NAMES = [
  'agent_tasks',
  'conversation_metadata',
  'conversation_notes',
  'conversation_contact_labels',
  'contacts',
  'user_profiles',
] as const satisfies readonly TableName[];

export const rowSchemas: { readonly [T in TableName]: z.ZodType<RowTypes[T], unknown> } = {
  agent_tasks: taskRowSchema,
  contacts: contactRowSchema,
  user_profiles: profileRowSchema,
  conversation_metadata: conversationMetadataRowSchema,
  conversation_notes: conversationNoteRowSchema,
  conversation_contact_labels: conversationLabelRowSchema,
};

export function isTableName(value: unknown): value is TableName {
  return typeof value === 'string' && (TABLE_NAMES as readonly string[]).includes(value);
}
