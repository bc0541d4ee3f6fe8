/**
 * Checks a token the way Realtime does and names the failure with Realtime's
 * strings, which differ by where the failure happens: the HTTP upgrade, a
 * channel join (code-prefixed reason), or a live channel (system message).
 */
import { peekClaims, type JwtClaims, type TokenRevocations } from '../auth/jwt.ts';
import { opaqueKeyClaims, opaqueKeyRole } from '../auth/api-keys.ts';
import { verifyToken, type TokenKeys } from '../auth/token-verifier.ts';

export type { TokenKeys };

export type TokenFailure =
  | { kind: 'expired'; secondsAgo: number }
  | { kind: 'missing_claims' }
  | { kind: 'malformed' }
  | { kind: 'signature' };

export type TokenCheck = { ok: true; claims: JwtClaims; expiresAt: number } | { ok: false; failure: TokenFailure };

/** `keys`: the project's token keys (HS256 secret, ES256 key, opaque API keys), so every form Supabase accepts works. */
export async function checkToken(
  keys: TokenKeys,
  revocations: TokenRevocations,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<TokenCheck> {
  const opaqueRole = opaqueKeyRole(keys, token);
  if (opaqueRole !== undefined) {
    const claims = opaqueKeyClaims(opaqueRole, nowSeconds);
    return { ok: true, claims, expiresAt: claims.exp };
  }
  const peeked = peekClaims(token);
  if (!peeked) return { ok: false, failure: { kind: 'malformed' } };
  if (typeof peeked.role !== 'string' || typeof peeked.exp !== 'number') {
    return { ok: false, failure: { kind: 'missing_claims' } };
  }
  const result = await verifyToken(keys, token, { revocations, nowSeconds });
  if (result.ok) return { ok: true, claims: result.claims, expiresAt: revocations.effectiveExpiry(result.claims) };
  if (result.reason === 'expired') return { ok: false, failure: { kind: 'expired', secondsAgo: result.expiredSecondsAgo } };
  return { ok: false, failure: { kind: result.message === 'invalid JWT claims' ? 'missing_claims' : 'signature' } };
}

/** Body of the 401 answered to a WebSocket upgrade whose `apikey` is refused. */
export function connectErrorMessage(failure: TokenFailure): string {
  switch (failure.kind) {
    case 'expired':
      return 'Token has expired';
    case 'missing_claims':
      return 'Fields `role` and `exp` are required in JWT';
    case 'malformed':
      return 'The token provided is not a valid JWT';
    case 'signature':
      return 'Failed to validate JWT signature';
  }
}

/** `reason` of a refused `phx_join`. */
export function joinErrorReason(failure: TokenFailure): string {
  switch (failure.kind) {
    case 'expired':
      return `InvalidJWTToken: Token has expired ${failure.secondsAgo} seconds ago`;
    case 'missing_claims':
      return 'InvalidJWTToken: Fields `role` and `exp` are required in JWT';
    case 'malformed':
      return 'MalformedJWT: The token provided is not a valid JWT';
    case 'signature':
      return 'JwtSignatureError: Failed to validate JWT signature';
  }
}

/** `message` of the system error sent before a joined channel is closed. */
export function channelErrorMessage(failure: TokenFailure): string {
  switch (failure.kind) {
    case 'expired':
      return `Token has expired ${failure.secondsAgo} seconds ago`;
    case 'missing_claims':
      return 'Fields `role` and `exp` are required in JWT';
    case 'malformed':
      return 'The token provided is not a valid JWT';
    case 'signature':
      return 'Failed to validate JWT signature';
  }
}
