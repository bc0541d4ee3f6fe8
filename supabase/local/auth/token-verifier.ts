/**
 * One verifier for every token the stack is shown (Bearer tokens, API keys,
 * realtime access tokens): the project's opaque API keys stand for their role's
 * claims; anything else must be a JWT signed with the HS256 secret or the ES256
 * signing key.
 */
import { opaqueKeyClaims, opaqueKeyRole, type ApiKeys } from './api-keys.ts';
import { verifyJwt, type TokenRevocations, type VerificationKeys, type VerifyResult } from './jwt.ts';

export type TokenKeys = VerificationKeys & Pick<ApiKeys, 'publishableKey' | 'secretKey'>;

export async function verifyToken(
  keys: TokenKeys,
  token: string,
  options: { revocations?: TokenRevocations; nowSeconds?: number } = {},
): Promise<VerifyResult> {
  const role = opaqueKeyRole(keys, token);
  if (role !== undefined) return { ok: true, claims: opaqueKeyClaims(role, options.nowSeconds) };
  return verifyJwt(keys, token, options);
}
