/**
 * Serves the built renderer to the browser preview: the same path checks as
 * the app:// protocol handler (resolveBundleRequest), the same CSP header, and
 * index.html with the bridge client injected before the renderer's module script.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY, resolveBundleRequest } from '../main/core/bundle-request.ts';
import { CLIENT_SCRIPT_PATH, OVERLAY_STYLESHEET_PATH } from './wire-types.ts';

/** Headers on every response: the app's CSP, and nothing cached or leaked (the page URL carries the token). */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const MODULE_SCRIPT = /<script\b[^>]*\btype=["']module["'][^>]*>/i;

/** index.html with the overlay stylesheet and the bridge client placed before the first module script. */
function injectBridge(html: string): string {
  const match = MODULE_SCRIPT.exec(html);
  if (!match) throw new Error('index.html has no <script type="module">: is this a built renderer (out/renderer)?');
  const tags = `<link rel="stylesheet" href="${OVERLAY_STYLESHEET_PATH}">\n    <script src="${CLIENT_SCRIPT_PATH}"></script>\n    `;
  return html.slice(0, match.index) + tags + html.slice(match.index);
}

export interface StaticAssets {
  readonly rendererRoot: string;
  /** The preview's additions; without them the renderer is served as built (the UI benchmark injects its own fake). */
  readonly bridge?: {
    readonly clientScript: () => Promise<string>;
    readonly overlayStylesheet: () => Promise<string>;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

function plain(res: ServerResponse, status: number, text: string, head = false): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`, head);
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, assets: StaticAssets): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    plain(res, 405, 'Method not allowed');
    return;
  }
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://preview.invalid').pathname;
  } catch {
    plain(res, 400, 'Bad request', head);
    return;
  }
  if (assets.bridge && pathname === CLIENT_SCRIPT_PATH) {
    send(res, 200, 'text/javascript; charset=utf-8', await assets.bridge.clientScript(), head);
    return;
  }
  if (assets.bridge && pathname === OVERLAY_STYLESHEET_PATH) {
    send(res, 200, 'text/css; charset=utf-8', await assets.bridge.overlayStylesheet(), head);
    return;
  }
  const resolved = resolveBundleRequest(assets.rendererRoot, `app://bundle${pathname}`);
  if (!resolved.ok) {
    plain(res, resolved.status, resolved.status === 404 ? 'Not found' : 'Bad request', head);
    return;
  }
  let body: Buffer;
  try {
    if (!(await stat(resolved.file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    body = await readFile(resolved.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') plain(res, 404, 'Not found', head);
    else throw error;
    return;
  }
  if (assets.bridge && resolved.file === join(assets.rendererRoot, 'index.html')) {
    send(res, 200, resolved.contentType, injectBridge(body.toString('utf8')), head);
    return;
  }
  send(res, 200, resolved.contentType, body, head);
}
