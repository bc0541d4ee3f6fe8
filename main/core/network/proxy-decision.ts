/**
 * Which proxy a URL goes through. The platform answers in the PAC format
 * ("PROXY host:port; DIRECT", what Electron's session.resolveProxy returns and
 * what the headless runner builds from HTTPS_PROXY/NO_PROXY); this module turns
 * IT's settings into what the platform needs (Electron's ProxyConfig) and the
 * PAC answer into the one proxy Beacon uses.
 */
import type { BeaconConfig } from '../config/config.ts';
import { bypasses, parseBypassList } from './bypass.ts';

export type ProxyChoice =
  | { readonly kind: 'direct' }
  | { readonly kind: 'proxy'; readonly scheme: 'http' | 'https'; readonly host: string; readonly port: number; readonly url: string };

export const DIRECT: ProxyChoice = { kind: 'direct' };

/**
 * The entries of a PAC answer Beacon can use, in order. SOCKS and QUIC entries
 * are skipped (Chromium could use them for HTTP, but the WebSocket tunnel
 * speaks only HTTP CONNECT); an empty answer means direct.
 */
export function parsePacResult(result: string): ProxyChoice[] {
  const choices: ProxyChoice[] = [];
  for (const part of result.split(';')) {
    const entry = part.trim();
    if (entry === '') continue;
    const [type = '', address = ''] = entry.split(/\s+/, 2);
    const kind = type.toUpperCase();
    if (kind === 'DIRECT') {
      choices.push(DIRECT);
      continue;
    }
    if (kind !== 'PROXY' && kind !== 'HTTPS' && kind !== 'HTTP') continue;
    const choice = proxyChoice(`${kind === 'HTTPS' ? 'https' : 'http'}://${address}`);
    if (choice) choices.push(choice);
  }
  return choices.length > 0 ? choices : [DIRECT];
}

/** `http://host:port` (or `https://`) as a ProxyChoice; null when it is not one. */
export function proxyChoice(proxyUrl: string): ProxyChoice | null {
  if (!URL.canParse(proxyUrl)) return null;
  const url = new URL(proxyUrl);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { kind: 'proxy', scheme, host, port, url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** The first usable entry: Beacon does not fail over between PAC entries (Chromium does for HTTP). */
export function firstChoice(pacResult: string): ProxyChoice {
  return parsePacResult(pacResult)[0] ?? DIRECT;
}

export function describeChoice(choice: ProxyChoice): string {
  return choice.kind === 'direct' ? 'direct (no proxy)' : `through the ${choice.scheme === 'https' ? 'HTTPS ' : ''}proxy ${choice.host}:${choice.port}`;
}

export type NetworkConfig = Pick<BeaconConfig, 'proxyMode' | 'proxyServer' | 'proxyBypassList' | 'proxyPacUrl' | 'extraCaBundle'>;

export type EffectiveProxy =
  | { readonly mode: 'system' }
  | { readonly mode: 'direct' }
  | { readonly mode: 'fixed'; readonly server: string; readonly bypassList: string }
  | { readonly mode: 'pac'; readonly pacUrl: string };

/** IT's proxy keys as one consistent setting; a mode without its value falls back to the system settings, with the reason. */
export function effectiveProxy(config: NetworkConfig): { readonly proxy: EffectiveProxy; readonly problems: readonly string[] } {
  switch (config.proxyMode) {
    case 'direct':
      return { proxy: { mode: 'direct' }, problems: [] };
    case 'fixed':
      if (!config.proxyServer) return { proxy: { mode: 'system' }, problems: ['ProxyMode is "fixed" but no valid ProxyServer is set; using the system proxy settings'] };
      return { proxy: { mode: 'fixed', server: config.proxyServer, bypassList: config.proxyBypassList ?? '' }, problems: [] };
    case 'pac':
      if (!config.proxyPacUrl) return { proxy: { mode: 'system' }, problems: ['ProxyMode is "pac" but no valid ProxyPacUrl is set; using the system proxy settings'] };
      return { proxy: { mode: 'pac', pacUrl: config.proxyPacUrl }, problems: [] };
    default:
      return { proxy: { mode: 'system' }, problems: [] };
  }
}

/** The shape of Electron's `ProxyConfig` (session.setProxy), without importing electron. */
export type PlatformProxyConfig =
  | { readonly mode: 'system' }
  | { readonly mode: 'direct' }
  | { readonly mode: 'fixed_servers'; readonly proxyRules: string; readonly proxyBypassRules: string }
  | { readonly mode: 'pac_script'; readonly pacScript: string };

export function platformProxyConfig(proxy: EffectiveProxy): PlatformProxyConfig {
  switch (proxy.mode) {
    case 'system':
      return { mode: 'system' };
    case 'direct':
      return { mode: 'direct' };
    case 'fixed':
      return { mode: 'fixed_servers', proxyRules: proxy.server, proxyBypassRules: proxy.bypassList.split(';').filter(Boolean).join(',') };
    case 'pac':
      return { mode: 'pac_script', pacScript: proxy.pacUrl };
  }
}

/** A fixed proxy's answer for one URL, in the PAC format (for runners that have no Chromium to ask). */
export function fixedProxyResult(url: string, server: string, bypassList: string): string {
  if (bypasses(url, parseBypassList(bypassList))) return 'DIRECT';
  const choice = proxyChoice(server);
  if (!choice || choice.kind !== 'proxy') return 'DIRECT';
  return `${choice.scheme === 'https' ? 'HTTPS' : 'PROXY'} ${choice.host.includes(':') ? `[${choice.host}]` : choice.host}:${choice.port}`;
}
