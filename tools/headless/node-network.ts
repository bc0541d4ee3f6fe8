/**
 * The headless runner's network platform (main/core/network/port.ts) in plain
 * Node: the proxy from the conventional HTTPS_PROXY / HTTP_PROXY / ALL_PROXY /
 * NO_PROXY variables (either case, curl's meaning; credentials in the proxy URL
 * are used for Basic proxy authentication), and TLS roots from Node's bundle
 * plus the operating system's store (tls.getCACertificates('system')), plus the
 * optional PEM bundle (--ca-bundle, like the ExtraCaBundle policy).
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { getCACertificates } from 'node:tls';
import { bypasses, parseBypassList } from '../../main/core/network/bypass.ts';
import { BeaconNetwork } from '../../main/core/network/network.ts';
import type { NetworkPlatform } from '../../main/core/network/port.ts';
import type { Logger } from '../../main/core/ports.ts';
import { proxyChoice } from '../../main/core/network/proxy-decision.ts';

export interface NodeNetworkOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The OS store; tests inject a list to stand in for it. */
  readonly systemRoots?: () => readonly string[];
}

function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** The proxy URL the variables give for a URL, or null for direct. */
export function envProxyFor(url: string, env: NodeJS.ProcessEnv): string | null {
  const target = new URL(url);
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const proxy = (secure ? variable(env, 'https_proxy') : variable(env, 'http_proxy')) ?? variable(env, 'all_proxy');
  if (!proxy) return null;
  const noProxy = variable(env, 'no_proxy');
  if (noProxy === '*') return null;
  if (noProxy) {
    // curl: "example.com" and ".example.com" both mean the domain and everything under it.
    const rules = noProxy
      .split(/[,\s]+/)
      .filter(Boolean)
      .flatMap((entry) => {
        if (/[/[]|^\d/.test(entry) || entry.includes('*')) return [entry];
        const domain = entry.replace(/^\./, '');
        return [domain, `*.${domain}`];
      })
      .join(';');
    if (bypasses(target, parseBypassList(rules))) return null;
  } else if (bypasses(target, parseBypassList(''))) {
    return null;
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

export function nodeNetworkPlatform(options: NodeNetworkOptions = {}): NetworkPlatform {
  const env = options.env ?? process.env;
  return {
    resolveProxy: (url) => {
      const proxy = envProxyFor(url, env);
      if (!proxy) return Promise.resolve('DIRECT');
      const choice = proxyChoice(proxy);
      if (!choice || choice.kind !== 'proxy') return Promise.resolve('DIRECT');
      return Promise.resolve(`${choice.scheme === 'https' ? 'HTTPS' : 'PROXY'} ${choice.host.includes(':') ? `[${choice.host}]` : choice.host}:${choice.port}`);
    },
    bundledRoots: () => getCACertificates('bundled'),
    systemRoots: options.systemRoots ?? (() => getCACertificates('system')),
    readText: (path) => readFile(path, 'utf8'),
    proxyCredentials: (proxy) => {
      for (const name of ['https_proxy', 'http_proxy', 'all_proxy']) {
        const value = variable(env, name);
        if (!value) continue;
        const url = URL.canParse(value) ? new URL(value) : URL.canParse(`http://${value}`) ? new URL(`http://${value}`) : null;
        if (!url || url.hostname.replace(/^\[|\]$/g, '') !== proxy.host) continue;
        const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
        if (port !== proxy.port || url.username === '') continue;
        return Promise.resolve({ username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
      }
      return Promise.resolve(null);
    },
    lookup: async (host) => (await lookup(host, { all: true })).map((entry) => entry.address),
    proxySource: () => {
      const set = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY'].filter((name) => variable(env, name));
      return set.length > 0 ? `the environment (${set.join(', ')})` : 'the environment (no proxy variables set)';
    },
  };
}

/** The headless runner's network: env proxy, system + bundled roots, and the optional PEM bundle. */
export function createHeadlessNetwork(options: { caBundle?: string | undefined; logger: Logger; env?: NodeJS.ProcessEnv; systemRoots?: () => readonly string[] }): Promise<BeaconNetwork> {
  return BeaconNetwork.create({
    platform: nodeNetworkPlatform({ ...(options.env ? { env: options.env } : {}), ...(options.systemRoots ? { systemRoots: options.systemRoots } : {}) }),
    extraCaBundle: options.caBundle,
    logger: options.logger,
  });
}
