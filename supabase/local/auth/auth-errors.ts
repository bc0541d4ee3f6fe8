/**
 * GoTrue's error answers. HTTP errors have two shapes, chosen by the request's
 * `X-Supabase-Api-Version` header (supabase-js always sends 2024-01-01):
 *   2024-01-01 or later: `{"code":"<error_code>","message":"…"}` and the header echoed back;
 *   otherwise (legacy):  `{"code":<status>,"error_code":"<error_code>","msg":"…"}`.
 * OAuth-style errors of the token endpoint are always `{"error","error_description"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/responses.ts';
import { headerValue } from '../http/request-url.ts';

const API_VERSION_HEADER = 'X-Supabase-Api-Version';
const API_VERSION_2024_01_01 = '2024-01-01';

export class AuthHttpError extends Error {
  readonly status: number;
  readonly errorCode: string;
  /** Fields GoTrue adds to some errors (e.g. `weak_password: {reasons}`), in both shapes. */
  readonly extra: Record<string, unknown>;

  constructor(status: number, errorCode: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.extra = extra;
  }
}

export class AuthOAuthError extends Error {
  readonly error: string;
  readonly description: string;

  constructor(error: string, description = '') {
    super(description === '' ? error : description);
    this.error = error;
    this.description = description;
  }
}

/** True when the request asked for the 2024-01-01 error shape (a valid date on or after it). */
function wantsDatedErrors(req: IncomingMessage): boolean {
  const requested = headerValue(req.headers[API_VERSION_HEADER.toLowerCase()]);
  if (requested === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(requested)) return false;
  const date = Date.parse(`${requested}T00:00:00Z`);
  return Number.isFinite(date) && date >= Date.parse(`${API_VERSION_2024_01_01}T00:00:00Z`);
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, error: AuthHttpError | AuthOAuthError): void {
  if (error instanceof AuthOAuthError) {
    sendJson(res, 400, error.description === '' ? { error: error.error } : { error: error.error, error_description: error.description });
    return;
  }
  if (wantsDatedErrors(req)) {
    sendJson(res, error.status, { code: error.errorCode, message: error.message, ...error.extra }, { [API_VERSION_HEADER]: API_VERSION_2024_01_01 });
    return;
  }
  sendJson(res, error.status, { code: error.status, error_code: error.errorCode, msg: error.message, ...error.extra });
}

export const badRequest = (code: string, message: string) => new AuthHttpError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthHttpError(403, code, message);
export const unauthorized = (code: string, message: string) => new AuthHttpError(401, code, message);
export const unprocessable = (code: string, message: string, extra?: Record<string, unknown>) => new AuthHttpError(422, code, message, extra);
export const notFound = (code: string, message: string) => new AuthHttpError(404, code, message);

/** GoTrue's answer for a password shorter than the minimum (WeakPasswordError). */
export const weakPassword = (minLength: number) =>
  unprocessable('weak_password', `Password should be at least ${minLength} characters.`, { weak_password: { reasons: ['length'] } });
