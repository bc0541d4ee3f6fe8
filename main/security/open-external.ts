// The one place Beacon hands a URL to the OS (SEC-15; lint bans shell.openExternal
// elsewhere). The rules are main/core/security/external-url.ts.
import { shell } from 'electron';
import { checkExternalUrl, type ExternalUrlCheck, type ExternalUrlOptions } from '../core/security/external-url.ts';
import { previewForLog } from '../core/security/url-text.ts';
import type { Logger } from '../core/ports.ts';

export { allowedHostsFromTemplate, MAX_EXTERNAL_URL_LENGTH } from '../core/security/external-url.ts';

export type OpenExternalResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface OpenExternalOptions extends ExternalUrlOptions {
  readonly logger?: Logger;
}

/** Opens an https URL in the user's browser after checking it. Never throws: refusals and OS failures come back as `{ok:false}`. */
export async function openExternalSafe(url: unknown, options: OpenExternalOptions = {}): Promise<OpenExternalResult> {
  let checked: ExternalUrlCheck;
  try {
    checked = checkExternalUrl(url, options);
  } catch (error) {
    // Only a misbehaving allowlist iterable can throw here; refuse rather than throw.
    checked = { ok: false, reason: `check failed: ${String(error)}` };
  }
  if (!checked.ok) {
    options.logger?.warn('refused to open external URL', { reason: checked.reason, url: previewForLog(url) });
    return { ok: false, reason: checked.reason };
  }
  try {
    await shell.openExternal(checked.url);
    return { ok: true };
  } catch (error) {
    const reason = `the OS could not open it: ${error instanceof Error ? error.message : String(error)}`;
    options.logger?.warn('could not open external URL', { reason, url: previewForLog(checked.url) });
    return { ok: false, reason };
  }
}
