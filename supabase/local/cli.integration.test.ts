import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { createClient } from '@supabase/supabase-js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

const readyLine = z
  .object({
    url: z.url(),
    anonKey: z.string().min(20),
    serviceRoleKey: z.string().min(20),
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

  it('refuses a bad option with a message instead of a stack trace', async () => {
    const child = spawn(process.execPath, [cli, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port must be an integer/);
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
