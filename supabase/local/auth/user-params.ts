/** GoTrue's checks on user parameters: email address and password strength. */
import { z } from 'zod';
import { badRequest, weakPassword } from './auth-errors.ts';

const MAX_EMAIL_LENGTH = 255;
const emailFormat = z.email();

/** GoTrue's validateEmail: required, at most 255 characters, a plausible address; returned lower-cased. */
export function validateEmail(email: string): string {
  if (email === '') throw badRequest('validation_failed', 'An email address is required');
  if (email.length > MAX_EMAIL_LENGTH) throw badRequest('validation_failed', 'An email address is too long');
  if (!emailFormat.safeParse(email).success) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** GoTrue's checkPasswordStrength with the default policy: a minimum length only. */
export function checkPassword(password: string, minLength: number): void {
  if ([...password].length < minLength) throw weakPassword(minLength);
}

/** JSON objects (metadata): anything else in that place is a validation failure. */
export const metadataSchema = z.record(z.string(), z.unknown());
