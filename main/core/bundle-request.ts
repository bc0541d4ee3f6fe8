/**
 * Maps an app://bundle/... request to a file under the built renderer, or to an
 * error status. The tray window is served from this custom scheme (SEC-18), so
 * this check is what keeps a crafted URL from reading anything else on disk.
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const BUNDLE_HOST = 'bundle';

/** Production policy (SEC-07): sent as a header by the protocol handler and as a meta tag in index.html. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export type BundleRequest =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 404; reason: string };

export function resolveBundleRequest(rendererRoot: string, requestUrl: string): BundleRequest {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'unparsable URL' };
  }
  if (url.protocol !== 'app:' || url.host !== BUNDLE_HOST) return { ok: false, status: 404, reason: `unknown host ${url.host}` };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  const wanted = pathname === '/' || pathname === '' ? '/index.html' : pathname;
  const root = resolve(rendererRoot);
  const file = resolve(root, `.${wanted}`);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    return { ok: false, status: 400, reason: 'path escapes the bundle' };
  }
  return { ok: true, file, contentType: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' };
}
