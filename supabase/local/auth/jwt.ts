/**
 * HS256 JWTs as Supabase issues them: access tokens for users, and the anon /
 * service-role API keys, all signed with the project's one JWT secret.
 * Signing and verification are jose's; what is ours is the claim shape and the
 * "revoked before" rule the `expire-tokens` fault relies on.
 */
import { SignJWT, jwtVerify, decodeJwt, errors } from 'jose';
import { z } from 'zod';

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

export async function signJwt(secret: string, claims: JwtClaims): Promise<string> {
  const { exp, iat, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(exp)
    .sign(encoder.encode(secret));
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

export async function verifyJwt(
  secret: string,
  token: string,
  options: { revocations?: TokenRevocations; nowSeconds?: number } = {},
): Promise<VerifyResult> {
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  try {
    // exp is checked below (with revocations), so jose is told to tolerate it.
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
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
