/**
 * Beacon's deep links (DL-03). The only link is `beacon://contact/<uuid>`, which
 * focuses that contact in the tray window. Anything else that arrives through the
 * OS (argv, open-url) is rejected with a reason; nothing from the link is ever
 * used as a path, a URL to open or a command.
 *
 * Decisions:
 * - The scheme and host are matched case-insensitively (`BEACON://Contact/…`):
 *   URL schemes and hosts are case-insensitive and the OS launches Beacon for
 *   either spelling; the parsed link is the same either way.
 * - One trailing slash is accepted (`beacon://contact/<uuid>/`) because some
 *   launchers append it; an empty segment anywhere else is rejected.
 * - No query and no fragment at all, not even an empty `?` or `#`.
 * - The contact id is returned in lower case.
 */
import { z } from 'zod';
import { URL_SCHEME } from '../app-id.ts';
import { hasPathTraversal, hasWhitespaceOrControl } from '../security/url-text.ts';

const DEEP_LINK_SCHEME = URL_SCHEME;
export const MAX_DEEP_LINK_LENGTH = 2048;

export type DeepLink = { readonly kind: 'contact'; readonly contactId: string };
export type DeepLinkResult = { readonly ok: true; readonly link: DeepLink } | { readonly ok: false; readonly reason: string };

const uuid = z.uuid();
const ALLOWED_HOSTS = new Set(['contact']);

const reject = (reason: string): DeepLinkResult => ({ ok: false, reason });

export function parseDeepLink(raw: unknown): DeepLinkResult {
  if (typeof raw !== 'string') return reject('not a string');
  if (raw.length === 0) return reject('empty');
  if (raw.length > MAX_DEEP_LINK_LENGTH) return reject(`longer than ${MAX_DEEP_LINK_LENGTH} characters`);
  if (hasWhitespaceOrControl(raw)) return reject('contains whitespace or control characters');
  if (hasPathTraversal(raw)) return reject('contains path traversal or encoded separators');
  if (!URL.canParse(raw)) return reject('not a URL');
  const url = new URL(raw);
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return reject(`scheme ${url.protocol} is not ${DEEP_LINK_SCHEME}:`);
  if (url.username || url.password) return reject('contains credentials');
  const host = url.host.toLowerCase();
  if (!ALLOWED_HOSTS.has(host)) return reject(host === '' ? 'no host' : 'unknown host');
  if (raw.includes('?')) {
    const keys = [...url.searchParams.keys()];
    return reject(new Set(keys).size < keys.length ? 'duplicate query keys' : 'query not allowed');
  }
  if (raw.includes('#')) return reject('fragment not allowed');

  const segments = url.pathname.replace(/^\//, '').split('/');
  if (segments.length === 2 && segments[1] === '') segments.pop();
  if (segments.length !== 1) return reject('path must be exactly one segment');
  const [id] = segments;
  if (!uuid.safeParse(id).success) return reject('contact id is not a UUID');
  return { ok: true, link: { kind: 'contact', contactId: id!.toLowerCase() } };
}

/**
 * The deep link among command-line arguments (Windows/Linux cold start and
 * second-instance). Argument order is not guaranteed (Chromium adds switches),
 * so the first argument with the scheme wins, wherever it is.
 */
export function findDeepLinkInArgv(argv: readonly unknown[] | undefined): string | undefined {
  if (!Array.isArray(argv)) return undefined;
  const prefix = `${DEEP_LINK_SCHEME}:`;
  return argv.find((arg): arg is string => typeof arg === 'string' && arg.slice(0, prefix.length).toLowerCase() === prefix);
}
