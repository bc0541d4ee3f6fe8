/**
 * POST /auth/v1/signup with email and password, as GoTrue's Signup:
 *   signups disabled → 422 signup_disabled;
 *   autoconfirm on   → the user is confirmed and signed in (a session answer);
 *   autoconfirm off  → the unconfirmed user is answered (no mail is sent locally);
 *   an existing confirmed user → 422 user_already_exists with autoconfirm, and
 *     otherwise an obfuscated user (GoTrue hides who is registered);
 *   an existing unconfirmed user → updated (password, metadata), then as a new one.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { StackContext } from '../context.ts';
import { badRequest, unprocessable } from './auth-errors.ts';
import { signIn, type SessionResponse } from './sessions.ts';
import { checkPassword, metadataSchema, validateEmail } from './user-params.ts';
import { findUserByEmail, insertUser, updateUser, userJson } from './users.ts';

export const signupSchema = z.looseObject({
  email: z.string().optional(),
  phone: z.string().optional(),
  password: z.string().optional(),
  data: metadataSchema.nullish(),
});
export type SignupParams = z.infer<typeof signupSchema>;

type SignupContext = Pick<StackContext, 'db' | 'keys' | 'revocations' | 'accessTokenTtlSeconds' | 'auth' | 'now'>;

/** What GoTrue answers instead of an existing user's data when it must not reveal that the address is taken. */
function obfuscatedUser(email: string, now: Date, metadata: Record<string, unknown>): Record<string, unknown> {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: at,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: metadata,
    identities: [],
    created_at: at,
    updated_at: at,
    is_anonymous: false,
  };
}

export async function signUp(ctx: SignupContext, issuer: string, params: SignupParams): Promise<SessionResponse | Record<string, unknown>> {
  if (ctx.auth.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  if ((params.phone ?? '') !== '') throw unprocessable('phone_provider_disabled', 'Phone signups are disabled');
  if ((params.email ?? '') === '') throw badRequest('validation_failed', 'To signup, please provide your email');
  const password = params.password ?? '';
  if (password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
  checkPassword(password, ctx.auth.passwordMinLength);
  const email = validateEmail(params.email ?? '');
  const metadata = params.data ?? {};
  const now = new Date(ctx.now());

  const existing = await findUserByEmail(ctx.db.pool, email);
  if (existing !== undefined && existing.email_confirmed_at !== null) {
    if (ctx.auth.autoconfirm) throw unprocessable('user_already_exists', 'User already registered');
    return obfuscatedUser(email, now, metadata);
  }
  if (existing !== undefined) {
    // An unconfirmed user signing up again: GoTrue takes the new password and metadata, then confirms
    // (autoconfirm) or resends the confirmation, of which there is nothing to send locally.
    const updated = await updateUser(ctx.db.pool, existing.id, { password, userMetadata: metadata, confirmEmail: ctx.auth.autoconfirm }, now);
    if (updated === undefined) throw unprocessable('user_already_exists', 'User already registered');
    if (ctx.auth.autoconfirm) return signIn(ctx, issuer, updated.id);
    return { ...userJson(updated), confirmation_sent_at: now.toISOString() };
  }

  const user = await insertUser(ctx.db.pool, {
    email,
    password,
    emailConfirmed: ctx.auth.autoconfirm,
    userMetadata: metadata,
    appMetadata: { provider: 'email', providers: ['email'] },
    role: 'authenticated',
    aud: 'authenticated',
    now,
  });
  // Lost a race with a concurrent signup of the same address.
  if (user === undefined) throw unprocessable('user_already_exists', 'User already registered');
  if (!ctx.auth.autoconfirm) return { ...userJson(user), confirmation_sent_at: now.toISOString() };
  return signIn(ctx, issuer, user.id);
}
