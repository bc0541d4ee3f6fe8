/** Runtime checks for what a page sends over the bridge (the page is untrusted input like any IPC sender). */
import { z } from 'zod';
import { isInvokeMethod } from '../main/core/ipc/requests.ts';
import type { InvokeMethod } from '../main/core/ipc/contract.ts';
import type { ClientMessage } from './wire-types.ts';

/** Largest message a page may send; real requests are a few hundred bytes. */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

const callId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const clientMessageSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('invoke'),
      id: callId,
      method: z.string().refine(isInvokeMethod, { message: 'is not a method of the IPC contract' }).transform((m) => m as InvokeMethod),
      // The method's own schema (AppService) checks the request itself.
      request: z.unknown().optional(),
    })
    .strict(),
  z.object({ type: z.literal('notification-click'), id: z.uuid() }).strict(),
]) satisfies z.ZodType<ClientMessage, unknown>;

export type ParsedClientMessage =
  | { readonly ok: true; readonly message: ClientMessage }
  /** `id` is set when the message was an invoke whose call id could be read, so the caller can be answered. */
  | { readonly ok: false; readonly error: string; readonly id: number | null };

export function parseClientMessage(text: string): ParsedClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the message is not JSON', id: null };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const id = callId.safeParse((raw as { id?: unknown } | null)?.id);
  const detail = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')} ${issue.message}` : issue.message)).join('; ');
  return { ok: false, error: `invalid bridge message (${detail})`, id: (raw as { type?: unknown })?.type === 'invoke' && id.success ? id.data : null };
}
