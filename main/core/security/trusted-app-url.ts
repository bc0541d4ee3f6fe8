/**
 * Is this URL Beacon's own UI? Used for navigation guards (SEC-13) and IPC sender
 * checks (SEC-17). The UI is served from app://bundle/ (SEC-18). Custom schemes
 * have the origin "null" in the URL parser, so protocol and host are compared,
 * never `origin`.
 */
import { BUNDLE_HOST } from '../bundle-request.ts';
import { hasPathTraversal, hasWhitespaceOrControl } from './url-text.ts';

const APP_PROTOCOL = 'app:';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface TrustedUrlOptions {
  /**
   * The dev server's origin (e.g. http://localhost:5173), passed only for unpackaged
   * dev runs. Anything other than an http(s) loopback origin is ignored.
   */
  readonly devServerOrigin?: string | undefined;
}

/** The dev-server origin to trust, or undefined when none was given or it is not a loopback http(s) origin. */
export function trustedDevOrigin(devServerOrigin: string | undefined): string | undefined {
  if (!devServerOrigin || !URL.canParse(devServerOrigin)) return undefined;
  const url = new URL(devServerOrigin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!LOOPBACK_HOSTNAMES.has(url.hostname) || url.username || url.password) return undefined;
  return url.origin;
}

export function isTrustedAppUrl(raw: unknown, options: TrustedUrlOptions = {}): boolean {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192) return false;
  if (hasWhitespaceOrControl(raw) || hasPathTraversal(raw) || !URL.canParse(raw)) return false;
  const url = new URL(raw);
  if (url.username || url.password) return false;
  if (url.protocol === APP_PROTOCOL) return url.host === BUNDLE_HOST;
  const devOrigin = trustedDevOrigin(options.devServerOrigin);
  return devOrigin !== undefined && url.origin === devOrigin;
}
