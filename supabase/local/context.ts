/**
 * What every part of the local stack (auth, REST, realtime, control surface)
 * shares: the database, the project's keys, auth settings and the token
 * revocation list.
 */
import type { Database } from './db/database.ts';
import type { TokenRevocations } from './auth/jwt.ts';
import type { SigningKeys } from './auth/signing-keys.ts';
import type { ApiKeys } from './auth/api-keys.ts';

/**
 * The project's keys: the HS256 JWT secret and the ES256 signing key
 * (`SigningKeys`), and the API keys in both formats (`ApiKeys`).
 */
export interface StackKeys extends SigningKeys, ApiKeys {}

/** GoTrue settings the local stack honours. */
export interface AuthSettings {
  /** POST /auth/v1/signup answers 422 signup_disabled (GOTRUE_DISABLE_SIGNUP). */
  readonly disableSignup: boolean;
  /** Signed-up users are confirmed at once and get a session (GOTRUE_MAILER_AUTOCONFIRM). */
  readonly autoconfirm: boolean;
  /** Shortest password accepted (GOTRUE_PASSWORD_MIN_LENGTH, 6 by default). */
  readonly passwordMinLength: number;
  /** Seconds a rotated refresh token may still be used (GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL, 10 by default). */
  readonly refreshTokenReuseIntervalSeconds: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  disableSignup: false,
  autoconfirm: true,
  passwordMinLength: 6,
  refreshTokenReuseIntervalSeconds: 10,
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StackLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface StackContext {
  readonly db: Database;
  readonly keys: StackKeys;
  readonly revocations: TokenRevocations;
  /** Lifetime of access tokens issued by /auth/v1 (short in tests). */
  readonly accessTokenTtlSeconds: number;
  readonly auth: AuthSettings;
  /** Milliseconds since the epoch; injectable so that tests can move time (refresh-token reuse interval). */
  readonly now: () => number;
  readonly log: StackLog;
}
