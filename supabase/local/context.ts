/**
 * What every part of the local stack (auth, REST, realtime, control surface)
 * shares: the database, the project's keys and the token revocation list.
 */
import type { Database } from './db/database.ts';
import type { TokenRevocations } from './auth/jwt.ts';

export interface StackKeys {
  /** HS256 secret that signs access tokens and both API keys, as on Supabase. */
  readonly jwtSecret: string;
  /** JWT with role `anon`. */
  readonly anonKey: string;
  /** JWT with role `service_role`. */
  readonly serviceRoleKey: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StackLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface StackContext {
  readonly db: Database;
  readonly keys: StackKeys;
  readonly revocations: TokenRevocations;
  /** Lifetime of access tokens issued by /auth/v1 (short in tests). */
  readonly accessTokenTtlSeconds: number;
  readonly log: StackLog;
}
