import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { buildApp } from '../preview/build.ts';
import { waitFor } from '../test/wait-for.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const demo = join(root, 'scripts/demo.ts');
const electronInstalled = existsSync(join(root, 'node_modules/electron/path.txt'));

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [demo, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

describe('npm run demo', () => {
  const withoutElectron = 'says plainly why the Electron app cannot start here and how to see the window in a browser';
  it.skipIf(electronInstalled)(electronInstalled ? `${withoutElectron} (skipped: the Electron binary is installed here)` : withoutElectron, async () => {
    const run = start([]);
    expect(await run.exit).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toMatch(/Electron binary is not installed/);
    expect(run.stderr()).toMatch(/download from GitHub is blocked/);
    expect(run.stderr()).toContain('./beacon demo --browser');
    expect(run.stderr()).not.toContain('npm run demo');
  });

  it('refuses an agent other than a or b', async () => {
    const run = start(['--agent', 'c', '--browser']);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/--agent must be a or b/);
  });

  it('refuses unknown options with the usage', async () => {
    const run = start(['--frobnicate']);
    expect((await run.exit).code).toBe(2);
    expect(run.stderr()).toMatch(/Unknown option '--frobnicate'/);
    expect(run.stderr()).toContain('usage: ./beacon demo');
  });

  describe('--browser', () => {
    let outDir: string;
    let run: Run | undefined;

    beforeAll(async () => {
      outDir = await mkdtemp(join(tmpdir(), 'beacon-demo-build-'));
      await buildApp({ outDir });
    }, 180_000);

    afterAll(async () => {
      if (run && run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        await run.exit;
      }
      await rm(outDir, { recursive: true, force: true });
    });

    it('serves the tray window signed in as the agent asked for, prints a working fault command, and stops everything on SIGTERM', { timeout: 120_000 }, async () => {
      run = start(['--browser', '--agent', 'b', '--no-simulator', '--renderer', join(outDir, 'renderer')]);
      const pageUrl = await waitFor(() => /Open\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(run!.stdout())?.[1], `the page URL (stderr: ${run.stderr()})`, 90_000);
      expect(run.stdout()).toContain('agent.a@beacon.local     beacon-demo-a');
      expect(run.stdout()).toMatch(/Beacon\s+signed in as agent\.b@beacon\.local/);
      expect(run.stdout()).toMatch(/Stack data\s+ephemeral/);

      // The printed fault command, run as printed (curl's arguments, with its key), is accepted by the stack.
      const stackUrl = /Local stack\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())![1]!;
      const key = /-H 'apikey: ([^']+)'/.exec(run.stdout())![1]!;
      expect(run.stdout()).toContain(`curl -X POST ${stackUrl}/admin/v1/faults`);
      const fault = await fetch(`${stackUrl}/admin/v1/faults`, {
        method: 'POST',
        headers: { apikey: key, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'clear' }),
      });
      expect(fault.status).toBeLessThan(300);

      const html = await (await fetch(pageUrl)).text();
      expect(html).toContain('<script src="/__bridge/client.js"></script>');

      // The page's own connection: the app behind it is signed in as agent A.
      const url = new URL(pageUrl);
      const ws = new WebSocket(`ws://${url.host}/__bridge?token=${url.searchParams.get('token')}`, { origin: url.origin });
      const answers: unknown[] = [];
      ws.on('message', (data) => answers.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'invoke', id: 1, method: 'getAppState' }));
      const answer = await waitFor(() => answers.find((a) => (a as { id?: number }).id === 1), 'getAppState');
      expect(answer).toMatchObject({ ok: true, value: { session: { signedIn: true, email: 'agent.b@beacon.local' } } });
      ws.close();

      run.child.kill('SIGTERM');
      expect(await run.exit).toEqual({ code: 0, signal: null });
      await expect(fetch(pageUrl)).rejects.toThrow();
    });
  });
});
