// Electron adapter: serves the built renderer from app://bundle/ (SEC-18) with
// the CSP header (SEC-07). The path check is main/core/bundle-request.ts.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, resolveBundleRequest } from '../core/bundle-request.ts';

/** Must run before `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** After `ready`: serve files under `rendererRoot` only. */
export function serveRenderer(rendererRoot: string): void {
  protocol.handle('app', async (request) => {
    const resolved = resolveBundleRequest(rendererRoot, request.url);
    if (!resolved.ok) return new Response(resolved.reason, { status: resolved.status });
    const upstream = await net.fetch(pathToFileURL(resolved.file).toString()).catch(() => undefined);
    if (!upstream?.ok) return new Response('not found', { status: 404 });
    return new Response(upstream.body, {
      status: 200,
      headers: { 'content-type': resolved.contentType, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
    });
  });
}
