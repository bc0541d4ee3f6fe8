/**
 * supabase-js auth errors in plain words for the sign-in form and the tray.
 */
import { isAuthError, isAuthRetryableFetchError } from '@supabase/supabase-js';
import type { RefreshRefusal } from './instrumentation.ts';

export type SignInErrorKind = 'wrong-credentials' | 'email-not-confirmed' | 'rate-limited' | 'network' | 'server' | 'storage' | 'invalid-input';

export interface SignInFailure {
  readonly kind: SignInErrorKind;
  readonly message: string;
}

export function describeSignInError(error: unknown): SignInFailure {
  if (isAuthRetryableFetchError(error)) {
    return error.status && error.status >= 500
      ? { kind: 'server', message: 'The server had a problem signing you in. Try again in a moment.' }
      : { kind: 'network', message: 'Cannot reach the server. Check your network connection and try again.' };
  }
  if (isAuthError(error)) {
    const code = error.code ?? '';
    if (code === 'invalid_credentials' || /invalid login credentials/i.test(error.message)) {
      return { kind: 'wrong-credentials', message: 'Wrong email or password.' };
    }
    if (code === 'email_not_confirmed') return { kind: 'email-not-confirmed', message: 'This email address is not confirmed yet.' };
    if (error.status === 429 || code === 'over_request_rate_limit') {
      return { kind: 'rate-limited', message: 'Too many sign-in attempts. Wait a minute and try again.' };
    }
    if (error.status !== undefined && error.status >= 500) {
      return { kind: 'server', message: 'The server had a problem signing you in. Try again in a moment.' };
    }
    if (code === 'validation_failed') return { kind: 'invalid-input', message: 'Enter an email address and a password.' };
    return { kind: 'server', message: `The server refused the sign-in (${code || error.status || 'unknown error'}).` };
  }
  return { kind: 'server', message: 'Signing in failed unexpectedly. Try again in a moment.' };
}

/** Sign-in itself worked but supabase-js could not write the session to the secret store. */
export const STORAGE_FAILURE: SignInFailure = {
  kind: 'storage',
  message: 'The session could not be stored securely on this computer, so you were not signed in.',
};

/** Why a refresh was refused, for the signed-out state. */
export function describeRefusal(refusal: RefreshRefusal): string {
  switch (refusal.code) {
    case 'refresh_token_already_used':
      return 'Your session was used somewhere else and has ended. Please sign in again.';
    case 'session_expired':
      return 'Your session expired. Please sign in again.';
    case 'refresh_token_not_found':
    case 'session_not_found':
      return 'Your session is no longer valid (you were signed out or it was revoked). Please sign in again.';
    case 'user_not_found':
    case 'user_banned':
      return 'Your account can no longer sign in. Contact your administrator.';
    default:
      return `The server ended your session${refusal.code ? ` (${refusal.code})` : ''}. Please sign in again.`;
  }
}
