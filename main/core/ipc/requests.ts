/**
 * Runtime schemas for everything the window sends (SEC-17: the sender is
 * checked by the adapter, the payload here). Each schema's output type must be
 * the contract's request type, so the two cannot drift apart.
 */
import { z } from 'zod';
import { CONVERSATION_CHANGE_KINDS } from '../domain/types.ts';
import { quietHoursSchema } from '../notifications/quiet-hours.ts';
import type { InvokeMethod, InvokeRequest, ResultMethod } from './contract.ts';

const none = z.undefined().or(z.null()).transform(() => undefined);
const contactId = z.object({ contactId: z.uuid() }).strict();
const kinds = Object.fromEntries(CONVERSATION_CHANGE_KINDS.map((kind) => [kind, z.boolean().optional()])) as Record<
  (typeof CONVERSATION_CHANGE_KINDS)[number],
  z.ZodOptional<z.ZodBoolean>
>;

const requestSchemas = {
  getAppState: none,
  requestView: none,
  signIn: z
    .object({
      email: z.string().trim().max(320).pipe(z.email('Enter an email address like name@example.com.')),
      password: z.string().min(1, 'Enter your password.').max(1024),
      supabaseUrl: z.string().trim().max(2048).optional(),
      supabaseAnonKey: z.string().trim().max(4096).optional(),
    })
    .strict(),
  signOut: none,
  contactViewed: contactId,
  setNotificationsEnabled: z.object({ enabled: z.boolean() }).strict(),
  pauseNotifications: z.object({ choice: z.enum(['one-hour', 'until-tomorrow', 'resume']) }).strict(),
  updateSettings: z
    .object({
      quietHours: quietHoursSchema.strict().nullable().optional(),
      conversationKinds: z.object(kinds).strict().optional(),
      launchAtLogin: z.boolean().optional(),
      theme: z.enum(['system', 'light', 'dark']).optional(),
    })
    .strict(),
  openInCrm: contactId,
  hideWindow: none,
  runConnectionTest: none,
  setProxyCredentials: z.object({ username: z.string().trim().min(1, 'Enter the proxy user name.').max(256), password: z.string().max(1024) }).strict(),
  retrySync: none,
} satisfies { [M in InvokeMethod]: z.ZodType<InvokeRequest<M>, unknown> };

export type ParsedRequest<M extends InvokeMethod> =
  | { readonly ok: true; readonly request: InvokeRequest<M> }
  /** `message`: what was wrong in plain words (the first problem); `field`: the request field it is about; `detail`: every problem, for logs. */
  | { readonly ok: false; readonly message: string; readonly field: string | null; readonly detail: string };

/** Validates a request from the window. */
export function parseRequest<M extends InvokeMethod>(method: M, raw: unknown): ParsedRequest<M> {
  const schema = requestSchemas[method] as z.ZodType<InvokeRequest<M>, unknown>;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issues = parsed.error.issues;
  const first = issues[0];
  const detail = issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
  const field = first && first.path.length > 0 ? String(first.path[0]) : null;
  return { ok: false, message: first?.message ?? 'Invalid request.', field, detail: `${method}: ${detail}` };
}

/** The methods that answer with a Result (tied to the contract: a new one that does must be listed). */
export const RESULT_METHODS = {
  signIn: true,
  setNotificationsEnabled: true,
  pauseNotifications: true,
  updateSettings: true,
  openInCrm: true,
  runConnectionTest: true,
  setProxyCredentials: true,
} as const satisfies Record<ResultMethod, true>;

export function answersWithResult(method: InvokeMethod): method is ResultMethod {
  return Object.hasOwn(RESULT_METHODS, method);
}

export function isInvokeMethod(value: unknown): value is InvokeMethod {
  return typeof value === 'string' && Object.hasOwn(requestSchemas, value);
}
