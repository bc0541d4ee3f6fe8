/**
 * The result of `public.beacon_snapshot(finished_since, changes_since,
 * changes_limit)` (shape documented in the Beacon migration), parsed.
 *
 * The envelope must be right or the whole snapshot is rejected. A single bad
 * row does not spoil the rest: it is left out and listed in `skipped` (with
 * its id when readable), so the core keeps what it last knew of that row
 * instead of taking a guess or dropping everything.
 */
import { z } from 'zod';
import type { Contact, ConversationLabel, ConversationMetadata, ConversationNote, Profile, Task } from '../domain/types.ts';
import {
  contactRowSchema,
  conversationLabelRowSchema,
  conversationMetadataRowSchema,
  conversationNoteRowSchema,
  profileRowSchema,
  taskRowSchema,
  timestampSchema,
  type TableName,
} from './rows.ts';
import { describeIssues, idOf, MAX_RECORD_BYTES, ok, rejected, serializedBytes, type Parsed, type Rejection } from './rejection.ts';

export interface Snapshot {
  /** The server's transaction start time: rows written by transactions open at that moment may be older. */
  readonly serverTime: string;
  /** The agent's profile; null when absent or invalid (then `skipped` says so): "unknown", not "disabled". */
  readonly profile: Profile | null;
  /** pending and in_progress tasks, oldest first. */
  readonly activeTasks: readonly Task[];
  /** Tasks finished since the cursor, newest first. */
  readonly finishedTasks: readonly Task[];
  /** Every contact the lists refer to. */
  readonly contacts: readonly Contact[];
  readonly conversation: {
    readonly metadata: readonly ConversationMetadata[];
    readonly notes: readonly ConversationNote[];
    readonly labels: readonly ConversationLabel[];
  };
  /** Rows left out because they failed validation. */
  readonly skipped: readonly Rejection[];
}

const list = z.array(z.unknown());

const envelopeSchema = z.object({
  server_time: timestampSchema,
  profile: z.unknown().optional(),
  active_tasks: list,
  finished_tasks: list,
  contacts: list,
  conversation_changes: z.object({ metadata: list, notes: list, labels: list }),
});

function parseRows<T>(rows: readonly unknown[], table: TableName, schema: z.ZodType<T, unknown>, skipped: Rejection[], maxBytes: number): T[] {
  const out: T[] = [];
  for (const row of rows) {
    const id = idOf(row);
    const where = { table, ...(id ? { id } : {}) };
    const size = serializedBytes(row);
    if (size === undefined || size > maxBytes) {
      skipped.push({ reason: size === undefined ? 'malformed' : 'oversized', detail: size === undefined ? 'row cannot be serialized' : `row is ${size} bytes (limit ${maxBytes})`, ...where });
      continue;
    }
    const parsed = schema.safeParse(row);
    if (parsed.success) out.push(parsed.data);
    else skipped.push({ reason: 'invalid-row', detail: describeIssues(parsed.error), ...where });
  }
  return out;
}

export function parseSnapshot(payload: unknown, options: { maxRecordBytes?: number } = {}): Parsed<Snapshot> {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) return rejected({ reason: 'malformed', detail: `snapshot: ${describeIssues(envelope.error)}` });
  const data = envelope.data;
  const maxBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const skipped: Rejection[] = [];

  let profile: Profile | null = null;
  if (data.profile !== undefined && data.profile !== null) {
    [profile = null] = parseRows([data.profile], 'user_profiles', profileRowSchema, skipped, maxBytes);
  }

  return ok({
    serverTime: data.server_time,
    profile,
    activeTasks: parseRows(data.active_tasks, 'agent_tasks', taskRowSchema, skipped, maxBytes),
    finishedTasks: parseRows(data.finished_tasks, 'agent_tasks', taskRowSchema, skipped, maxBytes),
    contacts: parseRows(data.contacts, 'contacts', contactRowSchema, skipped, maxBytes),
    conversation: {
      metadata: parseRows(data.conversation_changes.metadata, 'conversation_metadata', conversationMetadataRowSchema, skipped, maxBytes),
      notes: parseRows(data.conversation_changes.notes, 'conversation_notes', conversationNoteRowSchema, skipped, maxBytes),
      labels: parseRows(data.conversation_changes.labels, 'conversation_contact_labels', conversationLabelRowSchema, skipped, maxBytes),
    },
    skipped,
  });
}
