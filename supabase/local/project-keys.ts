/**
 * The project's keys: the HS256 JWT secret, the ES256 signing key and the API
 * keys. Explicit options (a profile, --jwt-secret) win; otherwise they come from
 * `<dataDir>/stack-keys.json` (created, or completed, on first use) or are
 * generated for an ephemeral stack. Fixed legacy API keys (a profile's) must
 * verify with the secret and carry their role, or the stack refuses to start.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { StackKeys } from './context.ts';
import { newOpaqueKey, OPAQUE_KEY_PATTERN, type ApiKeyRole } from './auth/api-keys.ts';
import { signJwt, verifyJwt } from './auth/jwt.ts';
import { es256PrivateJwkSchema, generateEs256PrivateJwk, loadAsymmetricKey, type Es256PrivateJwk, type UserTokenAlgorithm } from './auth/signing-keys.ts';

export const MIN_JWT_SECRET_LENGTH = 32;
const TEN_YEARS = 10 * 365 * 24 * 3600;

export interface KeyOptions {
  /** HS256 secret (at least 32 characters), as GoTrue's GOTRUE_JWT_SECRET. */
  readonly jwtSecret?: string;
  /** ES256 private key; generated (and persisted with a data directory) when absent. */
  readonly signingKey?: Es256PrivateJwk;
  /** Which key signs new user access tokens (default HS256, as a project that has not rotated). */
  readonly userTokenAlgorithm?: UserTokenAlgorithm;
  /** Fixed legacy API keys (e.g. the Supabase CLI's demo keys); minted with the secret when absent. */
  readonly anonKey?: string;
  readonly serviceRoleKey?: string;
  readonly publishableKey?: string;
  readonly secretKey?: string;
}

const jwtSecretSchema = z.string().min(MIN_JWT_SECRET_LENGTH, `the JWT secret must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
const opaqueKeySchema = (prefix: string) => z.string().regex(OPAQUE_KEY_PATTERN).startsWith(prefix);

const persistedKeysSchema = z.object({
  jwtSecret: jwtSecretSchema,
  signingKey: es256PrivateJwkSchema.optional(),
  publishableKey: opaqueKeySchema('sb_publishable_').optional(),
  secretKey: opaqueKeySchema('sb_secret_').optional(),
});
type PersistedKeys = z.infer<typeof persistedKeysSchema>;

async function readPersisted(file: string): Promise<PersistedKeys | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = persistedKeysSchema.safeParse((() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })());
  if (!parsed.success) throw new Error(`${file} is not a valid key file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Persisted key material for a data directory, completing an older file (jwtSecret only) in place. */
async function persistedKeys(dataDir: string): Promise<Required<PersistedKeys>> {
  const file = join(dataDir, 'stack-keys.json');
  const found = await readPersisted(file);
  const complete: Required<PersistedKeys> = {
    jwtSecret: found?.jwtSecret ?? randomBytes(32).toString('hex'),
    signingKey: found?.signingKey ?? (await generateEs256PrivateJwk()),
    publishableKey: found?.publishableKey ?? newOpaqueKey('publishable'),
    secretKey: found?.secretKey ?? newOpaqueKey('secret'),
  };
  if (found === undefined || Object.keys(found).length < Object.keys(complete).length) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
  }
  return complete;
}

async function legacyKey(jwtSecret: string, role: ApiKeyRole, fixed: string | undefined): Promise<string> {
  if (fixed === undefined) {
    const iat = Math.floor(Date.now() / 1000);
    return signJwt(jwtSecret, { iss: 'supabase', role, iat, exp: iat + TEN_YEARS });
  }
  const verified = await verifyJwt(jwtSecret, fixed);
  if (!verified.ok || verified.claims.role !== role) {
    throw new Error(`the configured ${role} key is not a valid, unexpired JWT with role ${role} signed with the JWT secret`);
  }
  return fixed;
}

export async function createProjectKeys(options: KeyOptions & { dataDir?: string | undefined } = {}): Promise<StackKeys> {
  const stored = options.dataDir === undefined ? undefined : await persistedKeys(options.dataDir);
  const jwtSecret = jwtSecretSchema.parse(options.jwtSecret ?? stored?.jwtSecret ?? randomBytes(32).toString('hex'));
  const asymmetric = await loadAsymmetricKey(options.signingKey ?? stored?.signingKey ?? (await generateEs256PrivateJwk()));
  return {
    jwtSecret,
    asymmetric,
    userTokenAlgorithm: options.userTokenAlgorithm ?? 'HS256',
    anonKey: await legacyKey(jwtSecret, 'anon', options.anonKey),
    serviceRoleKey: await legacyKey(jwtSecret, 'service_role', options.serviceRoleKey),
    publishableKey: opaqueKeySchema('sb_publishable_').parse(options.publishableKey ?? stored?.publishableKey ?? newOpaqueKey('publishable')),
    secretKey: opaqueKeySchema('sb_secret_').parse(options.secretKey ?? stored?.secretKey ?? newOpaqueKey('secret')),
  };
}
