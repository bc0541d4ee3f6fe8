import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { protocol } from '../../test/electron-stub.ts';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../core/bundle-request.ts';

let root: string;
let secret: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-protocol-'));
  root = join(dir, 'out/renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><main>Beacon</main>');
  writeFileSync(join(root, 'assets/app.js'), 'export {}');
  secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'not for the renderer');
  registerAppScheme();
  serveRenderer(root);
});

afterAll(() => rmSync(join(root, '../..'), { recursive: true, force: true }));

const get = (url: string) => (protocol.handlers.get('app') as (request: Request) => Promise<Response>)(new Request(url));

describe('the app:// protocol', () => {
  it('is registered as standard and secure, with fetch support and no CSP bypass', () => {
    expect(protocol.registered).toContainEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
  });

  it('serves the bundle with the CSP header (SEC-07) and nosniff', async () => {
    const response = await get('app://bundle/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('Beacon');
    expect((await get('app://bundle/assets/app.js')).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses paths that leave the bundle, and other hosts', async () => {
    // The URL parser folds %2e%2e segments inside the bundle (→ /secret.txt there, which does not exist)…
    const folded = await get('app://bundle/%2e%2e/%2e%2e/secret.txt');
    expect(folded.status).toBe(404);
    expect(await folded.text()).not.toContain('not for the renderer');
    // …and encoded slashes that would climb out are refused outright.
    expect((await get('app://bundle/..%2f..%2fsecret.txt')).status).toBe(400);
    expect((await get('app://other/index.html')).status).toBe(404);
    expect((await get('app://bundle/missing.js')).status).toBe(404);
  });
});
