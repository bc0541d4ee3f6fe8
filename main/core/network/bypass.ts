/**
 * Proxy bypass rules, read the way Chromium reads `--proxy-bypass-list` and
 * the way IT writes them in the OS settings: `crm.example.com` (that host),
 * `*.example.com` or `.example.com` (every host under it, and `*example.com`
 * as a suffix), `host:port`, `https://host` (a scheme), an IP or a CIDR range
 * (`10.0.0.0/8`, `[fd00::]/8`), `<local>` (host names without a dot) and
 * `<-loopback>` (do proxy loopback). Loopback is reached directly unless the
 * list says `<-loopback>`, as in Chromium.
 */
import { BlockList, isIP } from 'node:net';

export interface BypassRules {
  readonly rules: readonly BypassRule[];
  readonly proxyLoopback: boolean;
}

type BypassRule =
  | { readonly kind: 'local' }
  | { readonly kind: 'host'; readonly scheme: string | null; readonly pattern: string; readonly port: number | null }
  | { readonly kind: 'range'; readonly list: BlockList; readonly family: 'ipv4' | 'ipv6' };

export function parseBypassList(list: string | undefined): BypassRules {
  const rules: BypassRule[] = [];
  let proxyLoopback = false;
  for (const raw of (list ?? '').split(/[;,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '<local>') {
      rules.push({ kind: 'local' });
      continue;
    }
    if (entry === '<-loopback>') {
      proxyLoopback = true;
      continue;
    }
    const range = parseRange(entry);
    if (range) {
      rules.push(range);
      continue;
    }
    const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/.exec(entry);
    const scheme = schemeMatch ? schemeMatch[1]! : null;
    let rest = schemeMatch ? schemeMatch[2]! : entry;
    let port: number | null = null;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
    if (bracketed) {
      rest = bracketed[1]!;
      port = bracketed[2] ? Number(bracketed[2]) : null;
    } else {
      const hostPort = /^([^:]+):(\d+)$/.exec(rest);
      if (hostPort) {
        rest = hostPort[1]!;
        port = Number(hostPort[2]);
      }
    }
    // ".example.com" means "*.example.com" (Chromium and WinINET alike).
    const pattern = rest.startsWith('.') ? `*${rest}` : rest;
    rules.push({ kind: 'host', scheme, pattern, port });
  }
  return { rules, proxyLoopback };
}

function parseRange(entry: string): BypassRule | null {
  const match = /^\[?([0-9a-f:.]+)\]?\/(\d{1,3})$/.exec(entry);
  if (!match) return null;
  const address = match[1]!;
  const prefix = Number(match[2]);
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefix > (version === 4 ? 32 : 128)) return null;
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { kind: 'range', list, family };
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'loopback']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' || protocol === 'wss:' ? 443 : 80;
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(value);
}

/** True when `url` is to be reached without the proxy. */
export function bypasses(url: string | URL, rules: BypassRules): boolean {
  const target = typeof url === 'string' ? new URL(url) : url;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port ? Number(target.port) : defaultPort(target.protocol);
  const scheme = target.protocol.replace(/:$/, '');
  if (!rules.proxyLoopback && isLoopbackHost(host)) return true;
  const ipVersion = isIP(host);
  for (const rule of rules.rules) {
    switch (rule.kind) {
      case 'local':
        if (ipVersion === 0 && !host.includes('.')) return true;
        break;
      case 'range':
        if ((rule.family === 'ipv4' && ipVersion === 4) || (rule.family === 'ipv6' && ipVersion === 6)) {
          if (rule.list.check(host, rule.family)) return true;
        }
        break;
      case 'host': {
        if (rule.scheme && rule.scheme !== scheme && !(rule.scheme === 'https' && scheme === 'wss') && !(rule.scheme === 'http' && scheme === 'ws')) break;
        if (rule.port !== null && rule.port !== port) break;
        // As in Chromium, "*.example.com" covers the hosts under example.com, not example.com itself.
        if (globMatch(rule.pattern, host)) return true;
        break;
      }
    }
  }
  return false;
}
