/** Key material: persisted per data directory, completed in place, fixed by options, and checked. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectKeys } from './project-keys.ts';
import { PROFILES } from './profiles.ts';
import { signJwt, verifyJwt } from './auth/jwt.ts';
import { generateEs256PrivateJwk } from './auth/signing-keys.ts';

describe('createProjectKeys', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the same secret, signing key and API keys across restarts with a data directory (file mode 0600)', async () => {
    const dir = await tempDir();
    const first = await createProjectKeys({ dataDir: dir });
    const second = await createProjectKeys({ dataDir: dir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.asymmetric.kid).toBe(first.asymmetric.kid);
    expect(second.asymmetric.publicJwk).toEqual(first.asymmetric.publicJwk);
    expect(second.publishableKey).toBe(first.publishableKey);
    expect(second.secretKey).toBe(first.secretKey);
    expect((await stat(join(dir, 'stack-keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('completes a key file from before signing keys, keeping its secret', async () => {
    const dir = await tempDir();
    const jwtSecret = 'an-old-secret-from-an-earlier-version-0123';
    await writeFile(join(dir, 'stack-keys.json'), JSON.stringify({ jwtSecret }));
    const keys = await createProjectKeys({ dataDir: dir });
    expect(keys.jwtSecret).toBe(jwtSecret);
    const stored = JSON.parse(await readFile(join(dir, 'stack-keys.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ jwtSecret, publishableKey: keys.publishableKey, secretKey: keys.secretKey, signingKey: { kid: keys.asymmetric.kid } });
  });

  it('lets a given secret win, and mints the legacy keys with it', async () => {
    const jwtSecret = 'my-fixed-secret-my-fixed-secret-0123456789';
    const keys = await createProjectKeys({ jwtSecret, dataDir: await tempDir() });
    expect(keys.jwtSecret).toBe(jwtSecret);
    const anon = await verifyJwt(jwtSecret, keys.anonKey);
    expect(anon).toMatchObject({ ok: true, claims: { role: 'anon', iss: 'supabase' } });
    expect(await verifyJwt(jwtSecret, keys.serviceRoleKey)).toMatchObject({ ok: true, claims: { role: 'service_role' } });
  });

  it('takes a configured ES256 signing key', async () => {
    const signingKey = await generateEs256PrivateJwk();
    const keys = await createProjectKeys({ signingKey, dataDir: await tempDir() });
    expect(keys.asymmetric.kid).toBe(signingKey.kid);
    expect(keys.asymmetric.publicJwk).toMatchObject({ x: signingKey.x, y: signingKey.y, alg: 'ES256' });
    expect(keys.asymmetric.publicJwk).not.toHaveProperty('d');
  });

  it('refuses a short secret, a corrupt key file, and fixed legacy keys that do not match the secret', async () => {
    await expect(createProjectKeys({ jwtSecret: 'too-short' })).rejects.toThrow(/at least 32 characters/);
    const dir = await tempDir();
    await writeFile(join(dir, 'stack-keys.json'), '{"jwtSecret": 42}');
    await expect(createProjectKeys({ dataDir: dir })).rejects.toThrow(/not a valid key file/);
    const foreign = await signJwt('another-secret-another-secret-0123456789', { role: 'anon', exp: 2_000_000_000 });
    await expect(createProjectKeys({ jwtSecret: 'my-fixed-secret-my-fixed-secret-0123456789', anonKey: foreign })).rejects.toThrow(/anon key/);
  });

  it('takes the Supabase CLI profile: its demo keys verify with its demo secret', async () => {
    const profile = PROFILES['supabase-cli'];
    const keys = await createProjectKeys(profile.keys);
    expect(keys.jwtSecret).toBe('super-secret-jwt-token-with-at-least-32-characters-long');
    expect(keys.anonKey).toBe(profile.keys.anonKey);
    expect(keys.serviceRoleKey).toBe(profile.keys.serviceRoleKey);
    expect(await verifyJwt(keys.jwtSecret, keys.anonKey)).toMatchObject({ ok: true, claims: { iss: 'supabase-demo', role: 'anon' } });
    expect(keys.publishableKey).toBe('sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH');
    expect(keys.secretKey).toBe('sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz');
    expect(profile.port).toBe(54321);
  });
});
