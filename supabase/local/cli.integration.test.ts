import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { createClient } from '@supabase/supabase-js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEs256PrivateJwk } from './auth/signing-keys.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

const readyLine = z
  .object({
    url: z.url(),
    anonKey: z.string().min(20),
    serviceRoleKey: z.string().min(20),
    publishableKey: z.string().startsWith('sb_publishable_'),
    secretKey: z.string().startsWith('sb_secret_'),
    jwksUrl: z.url().endsWith('/auth/v1/.well-known/jwks.json'),
    dbUrl: z.string().startsWith('postgres'),
    demoUsers: z.array(z.object({ email: z.email(), password: z.string().min(1), id: z.uuid() })).min(2),
  })
  .strict();

describe('npm run stack -- --ephemeral --port 0 --json', () => {
  it('prints exactly one JSON line once ready, serves it, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, '--ephemeral', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdoutLines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (line) => {
          stdoutLines.push(line);
          if (stdoutLines.length === 1) resolve(line);
        });
        child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was ready: ${stderr}`)));
      });
      const ready = readyLine.parse(JSON.parse(first));
      expect(new URL(ready.url).hostname).toBe('127.0.0.1');

      const client = createClient(ready.url, ready.anonKey, { auth: { persistSession: false, autoRefreshToken: false } });
      const { error } = await client.auth.signInWithPassword(ready.demoUsers[0]!);
      expect(error).toBeNull();

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdoutLines).toHaveLength(1);
      const db = new pg.Client({ connectionString: ready.dbUrl, connectionTimeoutMillis: 2000 });
      await expect(db.connect()).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('takes --profile supabase-cli with --jwt-secret, --signing-key and --user-token-alg ES256', async () => {
    const secret = 'a-fixed-secret-for-this-test-0123456789abcdef';
    const keyDir = await mkdtemp(join(tmpdir(), 'beacon-cli-key-'));
    const signingKey = await generateEs256PrivateJwk();
    const keyFile = join(keyDir, 'signing-key.json');
    await writeFile(keyFile, JSON.stringify(signingKey));
    const child = spawn(
      process.execPath,
      [cli, '--ephemeral', '--port', '0', '--json', '--profile', 'supabase-cli', '--jwt-secret', secret, '--signing-key', keyFile, '--user-token-alg', 'ES256'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was ready: ${stderr}`)));
      });
      const ready = readyLine.parse(JSON.parse(first));
      // The profile's opaque keys; legacy keys minted with the given secret (the CLI's demo JWTs would not verify).
      expect(ready.publishableKey).toBe('sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH');
      expect(ready.secretKey).toBe('sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz');
      await expect(jwtVerify(ready.anonKey, new TextEncoder().encode(secret))).resolves.toMatchObject({ payload: { role: 'anon' } });

      const client = createClient(ready.url, ready.publishableKey, { auth: { persistSession: false, autoRefreshToken: false } });
      const { data, error } = await client.auth.signInWithPassword(ready.demoUsers[0]!);
      expect(error).toBeNull();
      const { payload, protectedHeader } = await jwtVerify(data.session!.access_token, createRemoteJWKSet(new URL(ready.jwksUrl)), { algorithms: ['ES256'] });
      expect(payload.sub).toBe(ready.demoUsers[0]!.id);
      expect(protectedHeader.kid).toBe(signingKey.kid);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(keyDir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each([
    [['--port', 'eighty'], /--port must be an integer/],
    [['--profile', 'heroku'], /--profile must be one of supabase-cli/],
    [['--jwt-secret', 'short'], /--jwt-secret must be at least 32 characters/],
    [['--user-token-alg', 'RS512'], /--user-token-alg must be one of HS256, ES256/],
    [['--signing-key', cli], /--signing-key: .* is not JSON/],
  ])('refuses a bad option (%s) with a message instead of a stack trace', async (args, message) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });
});

describe('npm run stack -- --tls-cert --tls-key', () => {
  it('serves https with the given certificate, named in the printed URL', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Agent, fetch: undiciFetch } = await import('undici');
    const { createTestCa } = await import('../../test/network/test-ca.ts');
    const dir = await mkdtemp(join(tmpdir(), 'beacon-stack-tls-'));
    const ca = await createTestCa('Stack Test Root');
    const leaf = await ca.issue(['localhost']);
    await writeFile(join(dir, 'cert.pem'), leaf.cert);
    await writeFile(join(dir, 'key.pem'), leaf.key);
    const child = spawn(process.execPath, [cli, '--ephemeral', '--port', '0', '--json', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--tls-hostname', 'localhost'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was ready: ${stderr}`)));
      });
      const ready = readyLine.parse(JSON.parse(first));
      expect(ready.url).toMatch(/^https:\/\/localhost:\d+$/);
      const port = new URL(ready.url).port;
      // localhost → 127.0.0.1 here; the certificate is checked against the test's own root.
      const dispatcher = new Agent({ connect: { ca: ca.certPem, servername: 'localhost' } });
      const response = await undiciFetch(`https://127.0.0.1:${port}/auth/v1/health`, { headers: { apikey: ready.anonKey }, dispatcher });
      expect(response.status).toBe(200);
      await dispatcher.close();
      process.kill(child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('wants both files', async () => {
    const child = spawn(process.execPath, [cli, '--ephemeral', '--tls-cert', 'x.pem'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/--tls-cert and --tls-key go together/);
  });
});
