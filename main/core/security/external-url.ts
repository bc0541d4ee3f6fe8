/**
 * Which URLs Beacon may hand to the OS to open (SEC-15). Opening a URL runs
 * whatever handler the OS has for its scheme (file:, smb:, ms-msdt: have all
 * been used for code execution), so only https is accepted, never with
 * credentials, and only to allowlisted hosts when an allowlist is given.
 */

/** The longest URL shell.openExternal reliably passes on Windows (Electron's shell docs). */
export const MAX_EXTERNAL_URL_LENGTH = 2081;

export interface ExternalUrlOptions {
  /**
   * Hosts (as `URL.host`: hostname plus any port) that may be opened. When given,
   * every other host is refused, and an empty list refuses everything.
   */
  readonly allowedHosts?: Iterable<string> | undefined;
}

export type ExternalUrlCheck = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

export function checkExternalUrl(raw: unknown, options: ExternalUrlOptions = {}): ExternalUrlCheck {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length > MAX_EXTERNAL_URL_LENGTH) return { ok: false, reason: `longer than ${MAX_EXTERNAL_URL_LENGTH} characters` };
  if (!URL.canParse(raw)) return { ok: false, reason: 'not a URL' };
  const url = new URL(raw);
  if (url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol} is not allowed (https only)` };
  if (url.username || url.password) return { ok: false, reason: 'contains credentials' };
  if (url.href.length > MAX_EXTERNAL_URL_LENGTH) return { ok: false, reason: `longer than ${MAX_EXTERNAL_URL_LENGTH} characters once normalized` };
  if (options.allowedHosts !== undefined) {
    const allowed = new Set([...options.allowedHosts].map((host) => host.toLowerCase()));
    if (!allowed.has(url.host)) return { ok: false, reason: `host ${url.host} is not on the allowlist` };
  }
  return { ok: true, url: url.href };
}

/**
 * The hosts Beacon may open, from IT's CRM URL template (the only external link
 * the app has). No template, or one that is not an https URL, allows nothing.
 */
export function allowedHostsFromTemplate(template: string | undefined): string[] {
  if (!template) return [];
  const sample = template.trim().replaceAll('{contactId}', '00000000-0000-0000-0000-000000000000');
  if (!URL.canParse(sample)) return [];
  const url = new URL(sample);
  return url.protocol === 'https:' && !url.username && !url.password ? [url.host] : [];
}
