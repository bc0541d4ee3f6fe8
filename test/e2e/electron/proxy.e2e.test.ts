/**
 * Beacon in real Electron on a company-like network: the local stack over HTTPS
 * with a certificate from a CA this test makes, under a name only the forward
 * proxy resolves (test/network/test-proxy.ts). Beacon gets the proxy and the CA
 * the way IT would give them (a fixed ProxyServer and an ExtraCaBundle, here via
 * BEACON_DEV_PROXY_SERVER / BEACON_DEV_CA_BUNDLE in an unpackaged run), signs
 * in through Chromium's stack (net.request), goes live over the tunnelled
 * WebSocket, and the Settings connection test passes every hop. The proxy's log
 * must show the tunnels.
 *
 * Runs only where the Electron binary exists (and a display on Linux); skipped
 * otherwise, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ElectronApplication, Page } from 'playwright-core';
import type { Stack } from '../../../supabase/local/stack.ts';
import type { BeaconTestHooks } from '../../../main/shell/test-hooks.ts';
import type { BeaconApi } from '../../../main/core/ipc/contract.ts';
import type { TestProxy } from '../../network/test-proxy.ts';
import { findElectronBinary } from './electron-binary.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const binary = findElectronBinary(root);
const run = promisify(execFile);
const HOST = 'stack.beacon.invalid';

type HooksGlobal = typeof globalThis & { __beaconE2E: BeaconTestHooks };
type BeaconWindow = typeof globalThis & { beacon: BeaconApi };

if (!binary.ok) {
  console.log(`[electron e2e: proxy] skipped: ${binary.reason}`);
  describe.skip(`Electron through a proxy (skipped: ${binary.reason})`, () => {
    it('signs in, goes live and passes the connection test through an authenticating proxy with an inspection root', () => {});
  });
} else {
  const executablePath = binary.executablePath;

  describe('Electron through a forward proxy to an HTTPS stack', () => {
    let stack: Stack;
    let proxy: TestProxy;
    let dir: string;
    let electronApp: ElectronApplication;
    let page: Page;

    beforeAll(async () => {
      await run(process.execPath, [fileURLToPath(new URL('../../../node_modules/electron-vite/bin/electron-vite.js', import.meta.url)), 'build', '--logLevel', 'error'], { cwd: root });
      const { createTestCa } = await import('../../network/test-ca.ts');
      const { startTestProxy } = await import('../../network/test-proxy.ts');
      const { createStack } = await import('../../../supabase/local/stack.ts');
      dir = await mkdtemp(join(tmpdir(), 'beacon-e2e-proxy-'));
      const ca = await createTestCa('Beacon Test Inspection Root');
      const caFile = join(dir, 'root.pem');
      await writeFile(caFile, ca.certPem);
      const leaf = await ca.issue([HOST]);
      stack = await createStack({ tls: { cert: leaf.cert, key: leaf.key, hostname: HOST } });
      const port = Number(new URL(stack.url).port);
      proxy = await startTestProxy({ hosts: { [`${HOST}:${port}`]: port } });
      const agent = stack.demoUsers[0]!;
      const { _electron } = await import('playwright-core');
      electronApp = await _electron.launch({
        executablePath,
        args: [root],
        cwd: root,
        env: {
          ...(process.env as Record<string, string>),
          BEACON_E2E: '1',
          BEACON_DEV_SUPABASE_URL: stack.url,
          BEACON_DEV_ANON_KEY: stack.anonKey,
          BEACON_DEV_EMAIL: agent.email,
          BEACON_DEV_PASSWORD: agent.password,
          BEACON_DEV_PROXY_SERVER: proxy.url,
          BEACON_DEV_CA_BUNDLE: caFile,
        },
        timeout: 60_000,
      });
      await electronApp.evaluate(async () => (globalThis as HooksGlobal).__beaconE2E.ready());
      page = await electronApp.firstWindow();
    }, 240_000);

    afterAll(async () => {
      await electronApp?.close().catch(() => {});
      await proxy?.close();
      await stack?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('signs in through the proxy (Chromium trusts the inspection root only through the bundle)', async () => {
      expect(await electronApp.evaluate(() => (globalThis as HooksGlobal).__beaconE2E.signedIn())).toBe(true);
      expect(proxy.log.length).toBeGreaterThan(0);
      expect(proxy.log.every((t) => t.target.startsWith(`${HOST}:`))).toBe(true);
    });

    it('passes every hop of the connection test, and the proxy saw REST and the WebSocket tunnels', async () => {
      const result = await page.evaluate(() => (globalThis as BeaconWindow).beacon.runConnectionTest());
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.report.hops.map((h) => h.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
      console.log(`[electron e2e: proxy] tunnels: ${proxy.log.map((t) => `${t.target} ${t.status}`).join(', ')}`);
      expect(proxy.log.filter((t) => t.status === 200).length).toBeGreaterThanOrEqual(2);
    });
  });
}
