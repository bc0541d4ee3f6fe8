/**
 * The project's API keys, in both of Supabase's formats:
 *   legacy: long-lived HS256 JWTs with role `anon` / `service_role` (any JWT
 *           signed with the project's secret and one of those roles is accepted,
 *           since that is all the platform checks);
 *   new:    opaque `sb_publishable_…` (acts as anon) and `sb_secret_…` (acts as
 *           service_role). The gateway stands a short-lived JWT of that role in
 *           for them; here they map to the same claims.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JwtClaims } from './jwt.ts';

export interface ApiKeys {
  /** Legacy JWT with role `anon`. */
  readonly anonKey: string;
  /** Legacy JWT with role `service_role`. */
  readonly serviceRoleKey: string;
  /** `sb_publishable_…`: acts as `anon`. */
  readonly publishableKey: string;
  /** `sb_secret_…`: acts as `service_role`; refused from browsers. */
  readonly secretKey: string;
}

export type ApiKeyRole = 'anon' | 'service_role';
export type OpaqueKeyKind = 'publishable' | 'secret';

/** The shape Supabase issues: prefix, 22 random base64url characters, `_`, an 8-character checksum. */
export const OPAQUE_KEY_PATTERN = /^sb_(publishable|secret)_[A-Za-z0-9_-]{16,64}$/;

export function newOpaqueKey(kind: OpaqueKeyKind): string {
  const body = randomBytes(16).toString('base64url');
  const checksum = createHash('sha256').update(`sb_${kind}_${body}`).digest('base64url').slice(0, 8);
  return `sb_${kind}_${body}_${checksum}`;
}

export function isOpaqueKey(value: string): boolean {
  return value.startsWith('sb_publishable_') || value.startsWith('sb_secret_');
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The role an opaque key acts as, or undefined when it is not one of this project's. */
export function opaqueKeyRole(keys: Pick<ApiKeys, 'publishableKey' | 'secretKey'>, value: string): ApiKeyRole | undefined {
  if (sameKey(value, keys.publishableKey)) return 'anon';
  if (sameKey(value, keys.secretKey)) return 'service_role';
  return undefined;
}

/** Lifetime of the claims an opaque key stands for (they are re-derived on every use). */
const OPAQUE_CLAIMS_TTL_SECONDS = 3600;

/** The claims of the JWT the gateway would mint for an opaque key. */
export function opaqueKeyClaims(role: ApiKeyRole, nowSeconds = Math.floor(Date.now() / 1000)): JwtClaims {
  return { iss: 'supabase', role, iat: nowSeconds, exp: nowSeconds + OPAQUE_CLAIMS_TTL_SECONDS };
}

/** Supabase refuses secret keys from browsers, which it recognises by their User-Agent. */
export function looksLikeBrowser(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /^Mozilla\/\d/.test(userAgent);
}
