/**
 * What happens to input that fails validation: it becomes a typed rejection
 * the engine logs and answers by refetching a snapshot. Nothing invalid is
 * ever guessed into shape.
 */
import type { z } from 'zod';

export const REJECTION_REASONS = [
  /** Not the expected envelope at all (not an object, wrong field types, unserializable). */
  'malformed',
  /** A table Beacon does not listen to (or another schema). */
  'unknown-table',
  /** The server reported an error for this event (`errors`: 400 no primary key, 401 unauthorized, …). */
  'server-error',
  /** The server cut the record down (`Error 413: Payload Too Large`): fields over 64 bytes are missing. */
  'truncated',
  /** The record is larger than Beacon accepts (MAX_RECORD_BYTES). */
  'oversized',
  /** The record is there but a field is missing or has a value Beacon does not know (e.g. a new status). */
  'invalid-row',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  readonly reason: RejectionReason;
  /** One line for the log: which field, what was wrong. Never the record's content. */
  readonly detail: string;
  readonly table?: string;
  /** The row's id when it could be read, so the core can tell which row to refetch. */
  readonly id?: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: Rejection };

/**
 * Records above this are refused. Supabase's own limit for a postgres change is
 * 1 MiB; no row of Beacon's tables comes near 256 KiB unless something is wrong
 * (a runaway AI `result`), and such a row is refetched through the snapshot
 * rather than pushed through the model.
 */
export const MAX_RECORD_BYTES = 256 * 1024;

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function rejected<T>(rejection: Rejection): Parsed<T> {
  return { ok: false, rejection };
}

/** UTF-8 size of the value's JSON, or undefined when it cannot be serialized (cycles, BigInt). */
export function serializedBytes(value: unknown): number | undefined {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
  } catch {
    return undefined;
  }
}

/** The first few zod issues as `path: message`, without echoing input values. */
export function describeIssues(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  const more = error.issues.length > limit ? ` (+${error.issues.length - limit} more)` : '';
  return parts.join('; ') + more;
}

/** The row id, when the record has a string `id`, for rejections that concern one row. */
export function idOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const id = (record as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}
