/**
 * A Realtime `postgres_changes` payload, as supabase-js hands it to a channel
 * callback (`{schema, table, commit_timestamp, eventType, new, old, errors}`),
 * parsed into a typed change of one of Beacon's six tables.
 *
 * `old` is never trusted for data: under RLS it holds only the primary key.
 * A DELETE therefore carries just the id.
 */
import { z } from 'zod';
import { isTableName, rowSchemas, type RowTypes, type TableName } from './rows.ts';
import { describeIssues, idOf, MAX_RECORD_BYTES, ok, rejected, serializedBytes, type Parsed } from './rejection.ts';

export type RowChange<T extends TableName = TableName> = {
  [K in T]:
    | {
        readonly table: K;
        readonly eventType: 'INSERT' | 'UPDATE';
        readonly row: RowTypes[K];
        /** Commit time as the server sent it; null when it did not. */
        readonly commitTimestamp: string | null;
      }
    | {
        readonly table: K;
        readonly eventType: 'DELETE';
        readonly id: string;
        readonly commitTimestamp: string | null;
      };
}[T];

/** The changes of some tables only: `ChangeOf<'agent_tasks'>`. */
export type ChangeOf<T extends TableName> = RowChange<T>;

const recordSchema = z.record(z.string(), z.unknown());

const envelopeSchema = z.object({
  schema: z.string().optional(),
  table: z.string(),
  eventType: z.enum(['INSERT', 'UPDATE', 'DELETE']),
  commit_timestamp: z.string().nullish(),
  new: recordSchema.optional(),
  old: recordSchema.optional(),
  errors: z.array(z.string()).nullish(),
});

const deletedKeySchema = z.object({ id: z.string().min(1).max(200) });

export function parseChange(payload: unknown, options: { maxRecordBytes?: number } = {}): Parsed<RowChange> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return rejected({ reason: 'malformed', detail: 'payload is not an object' });
  }
  const loose = payload as { table?: unknown; new?: unknown; old?: unknown; errors?: unknown };
  const table = typeof loose.table === 'string' ? loose.table : undefined;
  const id = idOf(loose.new) ?? idOf(loose.old);
  const where = { ...(table ? { table } : {}), ...(id ? { id } : {}) };

  const size = serializedBytes(payload);
  if (size === undefined) return rejected({ reason: 'malformed', detail: 'payload cannot be serialized', ...where });
  const limit = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  if (size > limit) return rejected({ reason: 'oversized', detail: `payload is ${size} bytes (limit ${limit})`, ...where });

  // Server-reported errors come first: with them the record is empty or cut down.
  if (Array.isArray(loose.errors) && loose.errors.length > 0) {
    const messages = loose.errors.map((e) => String(e).slice(0, 200));
    const truncated = messages.some((m) => /\b413\b|payload too large/i.test(m));
    return rejected({ reason: truncated ? 'truncated' : 'server-error', detail: messages.join('; '), ...where });
  }

  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) return rejected({ reason: 'malformed', detail: describeIssues(envelope.error), ...where });
  const { schema, eventType } = envelope.data;
  if ((schema !== undefined && schema !== 'public') || !isTableName(envelope.data.table)) {
    return rejected({ reason: 'unknown-table', detail: `${schema ?? 'public'}.${envelope.data.table} is not a Beacon table`, ...where });
  }
  const tableName = envelope.data.table;
  const commitTimestamp = envelope.data.commit_timestamp ?? null;

  if (eventType === 'DELETE') {
    const key = deletedKeySchema.safeParse(envelope.data.old ?? {});
    if (!key.success) return rejected({ reason: 'invalid-row', detail: `old: ${describeIssues(key.error)}`, ...where });
    return ok({ table: tableName, eventType, id: key.data.id, commitTimestamp } as RowChange);
  }

  const row = rowSchemas[tableName].safeParse(envelope.data.new ?? {});
  if (!row.success) return rejected({ reason: 'invalid-row', detail: `new: ${describeIssues(row.error)}`, ...where });
  return ok({ table: tableName, eventType, row: row.data, commitTimestamp } as RowChange);
}
