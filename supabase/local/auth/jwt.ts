/**
 * JWTs as Supabase issues them: access tokens for users, and the legacy anon /
 * service-role API keys. The legacy keys are HS256 with the project's JWT
 * secret; user tokens are HS256 or ES256 (signing-keys.ts), and every verifier
 * accepts both, as on a project that migrated to asymmetric signing keys.
 * Signing and verification are jose's; what is ours is the claim shape and the
 * "revoked before" rule the `expire-tokens` fault relies on.
 */
import { SignJWT, jwtVerify, decodeJwt, errors, type CryptoKey, type JWSHeaderParameters } from 'jose';
import { z } from 'zod';
import type { SigningKeys } from './signing-keys.ts';

export const jwtClaimsSchema = z
  .object({
    sub: z.string().optional(),
    role: z.string().min(1),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    exp: z.number().int(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    email: z.string().optional(),
    session_id: z.string().optional(),
  })
  .passthrough();

export type JwtClaims = z.infer<typeof jwtClaimsSchema>;

export type VerifyResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'expired'; claims: JwtClaims; expiredSecondsAgo: number }
  | { ok: false; reason: 'invalid'; message: string };

const encoder = new TextEncoder();

/** What a verifier needs: the HS256 secret and, when the project has one, the ES256 public key. */
export interface VerificationKeys {
  readonly jwtSecret: string;
  readonly asymmetric?: { readonly kid: string; readonly publicKey: CryptoKey };
}

function unsignedJwt(claims: JwtClaims): { jwt: SignJWT; exp: number; iat: number | undefined } {
  const { exp, iat, ...rest } = claims;
  return { jwt: new SignJWT(rest), exp, iat };
}

/** HS256 with the given secret (legacy API keys, and tests minting their own tokens). */
export async function signJwt(secret: string, claims: JwtClaims): Promise<string> {
  const { jwt, exp, iat } = unsignedJwt(claims);
  return jwt
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
}

/** A user access token, signed with the key the project chose for them (HS256 secret or ES256 key, with its `kid`). */
export async function signUserJwt(keys: SigningKeys, claims: JwtClaims): Promise<string> {
  if (keys.userTokenAlgorithm === 'HS256') return signJwt(keys.jwtSecret, claims);
  const { jwt, exp, iat } = unsignedJwt(claims);
  return jwt
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: keys.asymmetric.kid })
    .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(exp)
    .sign(keys.asymmetric.privateKey);
}

/** The key for a token's header: HS256 → the secret; ES256 → the project's public key (by `kid` when given). */
function keyFor(keys: VerificationKeys): (header: JWSHeaderParameters) => Uint8Array | CryptoKey {
  const secret = encoder.encode(keys.jwtSecret);
  return (header) => {
    if (header.alg === 'HS256') return secret;
    if (header.alg === 'ES256' && keys.asymmetric !== undefined && (header.kid === undefined || header.kid === keys.asymmetric.kid)) {
      return keys.asymmetric.publicKey;
    }
    throw new errors.JWKSNoMatchingKey();
  };
}

/**
 * Per-user cut-off: tokens of that user issued at or before the cut-off count as
 * expired at the cut-off. This is how the test control surface makes "the user's
 * current access tokens expire now" without touching the clock.
 */
export class TokenRevocations {
  private readonly cutoffs = new Map<string, number>();

  expireNow(userId: string, nowSeconds = Math.floor(Date.now() / 1000)): void {
    this.cutoffs.set(userId, nowSeconds);
  }

  clear(): void {
    this.cutoffs.clear();
  }

  /**
   * The `iat` for a token issued to this user now. Cut-offs have one-second
   * resolution, so a token issued in the very second of an `expireNow` would
   * count as revoked; it gets the next second instead.
   */
  issuedAtFor(userId: string, nowSeconds = Math.floor(Date.now() / 1000)): number {
    const cutoff = this.cutoffs.get(userId);
    return cutoff !== undefined && cutoff >= nowSeconds ? cutoff + 1 : nowSeconds;
  }

  /** The moment (epoch seconds) this token stops being valid. */
  effectiveExpiry(claims: JwtClaims): number {
    const cutoff = claims.sub ? this.cutoffs.get(claims.sub) : undefined;
    if (cutoff !== undefined && (claims.iat ?? 0) <= cutoff) return Math.min(claims.exp, cutoff);
    return claims.exp;
  }
}

/** Verifies a JWT with the HS256 secret (a string) or with the project's keys (HS256 and ES256). */
export async function verifyJwt(
  keys: string | VerificationKeys,
  token: string,
  options: { revocations?: TokenRevocations; nowSeconds?: number } = {},
): Promise<VerifyResult> {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const verification = typeof keys === 'string' ? { jwtSecret: keys } : keys;
  try {
    // exp is checked below (with revocations), so jose is told to tolerate it.
    const { payload } = await jwtVerify(token, keyFor(verification), {
      algorithms: verification.asymmetric === undefined ? ['HS256'] : ['HS256', 'ES256'],
      currentDate: new Date(0),
    });
    const parsed = jwtClaimsSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, reason: 'invalid', message: 'invalid JWT claims' };
    const claims = parsed.data;
    const expiry = options.revocations?.effectiveExpiry(claims) ?? claims.exp;
    if (expiry <= now) return { ok: false, reason: 'expired', claims, expiredSecondsAgo: now - expiry };
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid', message: error.message };
    throw error;
  }
}

/** Reads claims without checking the signature: only for messages about a token already rejected. */
export function peekClaims(token: string): Partial<JwtClaims> | undefined {
  try {
    return decodeJwt(token) as Partial<JwtClaims>;
  } catch {
    return undefined;
  }
}
