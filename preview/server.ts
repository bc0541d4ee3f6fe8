/**
 * The browser preview: Beacon's tray window in an ordinary browser, for demos
 * and for the browser end-to-end tests, on loopback only.
 *
 *   const preview = await startPreview({ project: stack, port: 0 });
 *   // open preview.pageUrl  (http://127.0.0.1:PORT/?token=…)
 *
 * It runs the core headless behind the same AppService the Electron app uses
 * (preview-app.ts), serves the built renderer (out/renderer) with the bridge client
 * injected (static.ts), and answers the page over a WebSocket (bridge.ts).
 * Nothing in main/, preload/ or renderer/ imports this folder, so it can never
 * end up in a packaged build (preview/not-in-build.integration.test.ts checks).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppService, Project } from '../main/core/app/app-service.ts';
import { silentLogger, type Logger } from '../main/core/ports.ts';
import { createBridge } from './bridge.ts';
import { bridgeClientScript } from './client-bundle.ts';
import { createPreviewApp, type CoreTuning } from './preview-app.ts';
import type { PreviewNotification, PreviewNotifier } from './notifier.ts';
import { COMMON_HEADERS, serveStatic } from './static.ts';

export const DEFAULT_RENDERER_ROOT = fileURLToPath(new URL('../out/renderer', import.meta.url));
const overlayStylesheetFile = fileURLToPath(new URL('./client/overlay.css', import.meta.url));

export interface PreviewOptions {
  /** The Supabase project to start with (a Stack works as is); absent = the user enters it in the sign-in form. */
  readonly project?: Project | undefined;
  /** Durable state of the core (ledger, settings, session); absent = in memory. */
  readonly stateDir?: string | undefined;
  /** Port on the host; 0 (default) = any free port. */
  readonly port?: number | undefined;
  /** Loopback only: 127.0.0.1 (default) or localhost. */
  readonly host?: '127.0.0.1' | 'localhost' | undefined;
  /** The bridge's access token; default 32 random bytes. */
  readonly token?: string | undefined;
  /** The built renderer; default out/renderer. */
  readonly rendererRoot?: string | undefined;
  readonly core?: CoreTuning | undefined;
  readonly logger?: Logger | undefined;
}

export interface PreviewServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The page to open: url + /?token=… */
  readonly pageUrl: string;
  readonly token: string;
  readonly port: number;
  readonly app: AppService;
  /** Every notification the core asked for, oldest first. */
  readonly notifications: readonly PreviewNotification[];
  /** The core's notifier (tests may show a notification through it directly). */
  readonly notifier: PreviewNotifier;
  /** Open page connections. */
  clients(): number;
  /** Stops the server, closes the pages' connections and stops the core. */
  stop(): Promise<void>;
}

export async function startPreview(options: PreviewOptions = {}): Promise<PreviewServer> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`the preview serves loopback only (127.0.0.1 or localhost), not ${String(host)}`);
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (token.length < 16) throw new Error('the preview token must be at least 16 characters');
  const rendererRoot = resolve(options.rendererRoot ?? DEFAULT_RENDERER_ROOT);
  try {
    await access(join(rendererRoot, 'index.html'));
  } catch {
    throw new Error(`no built renderer at ${rendererRoot} (run "npx electron-vite build" first)`);
  }
  // Built before listening, so a broken client fails the start, not the first page load.
  await bridgeClientScript();
  const overlayStylesheet = await readFile(overlayStylesheetFile, 'utf8');

  const { app, notifier } = await createPreviewApp({ project: options.project, stateDir: options.stateDir, core: options.core, logger });
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const bridge = createBridge({ app, notifier, token, allowedHosts, logger });

  const server = createServer((req, res) => {
    // DNS rebinding: a page from another name resolving to 127.0.0.1 sends its own Host.
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(403, { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('Forbidden\n');
      return;
    }
    serveStatic(req, res, { rendererRoot, bridge: { clientScript: bridgeClientScript, overlayStylesheet: async () => overlayStylesheet } }).catch((error: unknown) => {
      logger.error('preview: request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) res.writeHead(500, { ...COMMON_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal error\n');
    });
  });
  server.on('upgrade', (req, socket, head) => bridge.handleUpgrade(req, socket, head));

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  try {
    await app.start();
  } catch (error) {
    await new Promise<void>((done) => server.close(() => done()));
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    await bridge.close();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await app.stop();
  };

  return {
    url,
    pageUrl: `${url}/?token=${encodeURIComponent(token)}`,
    token,
    port,
    app,
    notifications: notifier.shown,
    notifier,
    clients: () => bridge.clients(),
    stop: () => (stopping ??= stop()),
  };
}
