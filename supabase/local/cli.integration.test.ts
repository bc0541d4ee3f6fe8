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
