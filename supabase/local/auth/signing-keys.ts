/**
 * The project's JWT signing keys, as on a Supabase project that migrated to
 * asymmetric JWT signing keys: the legacy HS256 secret (which still signs the
 * legacy anon / service_role keys and which every verifier still accepts) next
 * to an ES256 key pair whose public half is published at
 * /auth/v1/.well-known/jwks.json. Which of the two signs new user access tokens
 * is the project's choice (`userTokenAlgorithm`).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';

export type UserTokenAlgorithm = 'HS256' | 'ES256';
export const USER_TOKEN_ALGORITHMS: readonly UserTokenAlgorithm[] = ['HS256', 'ES256'];

/** A P-256 private key as a JWK, with its key id: what is persisted or configured. */
export const es256PrivateJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1),
});
export type Es256PrivateJwk = z.infer<typeof es256PrivateJwkSchema>;

export interface AsymmetricSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public key as GoTrue lists it in its JWKS. */
  readonly publicJwk: JWK;
  /** For persisting the key across restarts. */
  readonly privateJwk: Es256PrivateJwk;
}

export interface SigningKeys {
  /** Legacy HS256 secret (at least 32 characters). */
  readonly jwtSecret: string;
  readonly asymmetric: AsymmetricSigningKey;
  /** Which key signs new user access tokens. */
  readonly userTokenAlgorithm: UserTokenAlgorithm;
}

/** A fresh ES256 private key (as a JWK with a random key id). */
export async function generateEs256PrivateJwk(): Promise<Es256PrivateJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return es256PrivateJwkSchema.parse({ ...(await exportJWK(privateKey)), kid: randomUUID() });
}

export async function loadAsymmetricKey(jwk: Es256PrivateJwk): Promise<AsymmetricSigningKey> {
  const { kty, crv, x, y, d, kid } = es256PrivateJwkSchema.parse(jwk);
  const privateKey = (await importJWK({ kty, crv, x, y, d }, 'ES256')) as CryptoKey;
  const publicKey = (await importJWK({ kty, crv, x, y }, 'ES256')) as CryptoKey;
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig', key_ops: ['verify'], ext: true },
    privateJwk: { kty, crv, x, y, d, kid },
  };
}

/** The body of /auth/v1/.well-known/jwks.json: public keys only (the HS256 secret is never listed). */
export function jwks(keys: Pick<SigningKeys, 'asymmetric'>): { keys: JWK[] } {
  return { keys: [keys.asymmetric.publicJwk] };
}
