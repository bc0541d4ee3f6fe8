import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../main/core/bundle-request.ts';
import { waitFor } from '../test/wait-for.ts';
import { startPreview, type PreviewServer } from './server.ts';
import type { ServerMessage } from './wire-types.ts';

let dir: string;
let preview: PreviewServer;

const INDEX = `<!doctype html>
<html><head><title>Beacon</title>
<script type="module" crossorigin src="./assets/index.js"></script>
</head><body><div id="root"></div></body></html>`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-preview-test-'));
  await mkdir(join(dir, 'renderer/assets'), { recursive: true });
  await writeFile(join(dir, 'renderer/index.html'), INDEX);
  await writeFile(join(dir, 'renderer/assets/index.js'), 'console.log("renderer")');
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
  preview = await startPreview({ rendererRoot: join(dir, 'renderer') });
});

afterAll(async () => {
  await preview?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A raw GET (fetch would normalise ../ away before sending). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: preview.port, path, method: 'GET', headers: { host: `127.0.0.1:${preview.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Page {
  ws: WebSocket;
  messages: ServerMessage[];
  call(method: string, req?: unknown): Promise<ServerMessage>;
}

let nextId = 1;
async function connect(options: { token?: string | null; origin?: string } = {}): Promise<Page> {
  const token = options.token === undefined ? preview.token : options.token;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${preview.port}/__bridge${query}`, { origin: options.origin ?? preview.url });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    async call(method, req) {
      const id = nextId++;
      ws.send(JSON.stringify({ type: 'invoke', id, method, ...(req === undefined ? {} : { request: req }) }));
      return await waitFor(() => messages.find((m) => m.type === 'result' && m.id === id), `the answer to ${method}`);
    },
  };
}

describe('the preview server', () => {
  it('serves index.html with the bridge client before the module script, under the app CSP', async () => {
    const res = await get('/?token=whatever');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const client = res.body.indexOf('<script src="/__bridge/client.js"></script>');
    expect(client).toBeGreaterThan(0);
    expect(client).toBeLessThan(res.body.indexOf('<script type="module"'));
    expect(res.body).toContain('<link rel="stylesheet" href="/__bridge/overlay.css">');
  });

  it('serves the renderer assets, the bridge client and the overlay stylesheet', async () => {
    expect((await get('/assets/index.js')).body).toContain('renderer');
    const client = await get('/__bridge/client.js');
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/javascript/);
    expect(client.body).toContain('beacon');
    expect(client.body).not.toMatch(/^\s*(import|export) /m);
    expect((await get('/__bridge/overlay.css')).body).toContain('.beacon-preview-overlay');
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt', '/%00', '/assets'])('never serves anything outside the renderer: %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body).not.toContain('TOP-SECRET');
  });

  it('answers only to its own loopback host names (no DNS rebinding)', async () => {
    expect((await get('/', { host: `evil.example:${preview.port}` })).status).toBe(403);
    expect((await get('/', { host: `localhost:${preview.port}` })).status).toBe(200);
  });

  it('refuses bridge connections without the token, with a wrong token or from another origin', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: 'x'.repeat(43) })).rejects.toThrow('HTTP 401');
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: `http://127.0.0.1:${preview.port + 1}` })).rejects.toThrow('HTTP 403');
  });

  it('routes calls to AppService and answers each by its id', async () => {
    const page = await connect();
    try {
      const state = await page.call('getAppState');
      expect(state).toMatchObject({ type: 'result', ok: true, value: { session: { signedIn: false }, project: { supabaseUrl: null } } });
      const invalid = await page.call('signIn', { email: 'not an email', password: 'x' });
      // Refused input is an answer of its own (typed, with the field), not a failed call.
      expect(invalid).toMatchObject({ ok: true, value: { ok: false, field: 'email', message: expect.stringContaining('Enter an email address') } });
      const unknown = await page.call('deleteEverything');
      expect(unknown).toMatchObject({ ok: false, error: expect.stringContaining('not a method of the IPC contract') });
    } finally {
      page.ws.close();
    }
  });

  it('pushes AppService events to every page', async () => {
    const [a, b] = [await connect(), await connect()];
    try {
      expect(await a.call('updateSettings', { theme: 'dark' })).toMatchObject({ ok: true, value: { ok: true } });
      for (const page of [a, b]) {
        await waitFor(
          () => page.messages.some((m) => m.type === 'event' && m.event === 'appState' && m.payload.settings.theme === 'dark'),
          'the appState event',
        );
      }
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });

  it('shows notifications on the page, records them, and a click focuses the contact', async () => {
    const page = await connect();
    try {
      const contactId = '4f1b2c3d-0000-4000-8000-000000000001';
      preview.notifier.show({
        kind: 'task',
        tag: 'task:1',
        taskId: '4f1b2c3d-0000-4000-8000-0000000000aa',
        contactId,
        status: 'completed',
        title: 'Task completed · Ada Lovelace',
        body: 'Summarise the call',
        urgency: 'normal',
      });
      expect(preview.notifications.at(-1)?.request.title).toBe('Task completed · Ada Lovelace');
      const shown = await waitFor(() => page.messages.find((m) => m.type === 'notification'), 'the notification');
      expect(shown).toMatchObject({ title: 'Task completed · Ada Lovelace', body: 'Summarise the call', contactId });
      page.ws.send(JSON.stringify({ type: 'notification-click', id: (shown as { id: string }).id }));
      await waitFor(() => page.messages.some((m) => m.type === 'event' && m.event === 'focusContact' && m.payload.contactId === contactId), 'focusContact');
    } finally {
      page.ws.close();
    }
  });

  it('closes a connection that sends something that is not a bridge message', async () => {
    const page = await connect();
    const closed = new Promise<number>((resolve) => page.ws.once('close', (code) => resolve(code)));
    page.ws.send('{"type":"exec","command":"rm -rf /"}');
    expect(await closed).toBe(1008);
  });

  it('refuses to listen anywhere but loopback, and says when the renderer is not built', async () => {
    await expect(startPreview({ host: '0.0.0.0' as '127.0.0.1', rendererRoot: join(dir, 'renderer') })).rejects.toThrow(/loopback only/);
    await expect(startPreview({ rendererRoot: join(dir, 'missing') })).rejects.toThrow(/no built renderer/);
  });
});
