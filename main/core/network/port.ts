/**
 * The network port: what the platform gives Beacon's network layer. The
 * Electron adapter (main/network/) answers with Chromium (session.resolveProxy,
 * net.fetch, app 'login'); the headless runner with HTTPS_PROXY/NO_PROXY and
 * Node's TLS stores (tools/headless/node-network.ts); tests with fakes.
 */
import type { PresentedCertificate } from './trust.ts';
import type { ProxyCredentials, ProxyServer } from './tunnel.ts';

export interface NetworkPlatform {
  /** The proxy for a URL, PAC style: "DIRECT", "PROXY host:port; DIRECT", "HTTPS host:port". */
  resolveProxy(url: string): Promise<string>;
  /** The platform's HTTP stack (Electron net.fetch); absent = Beacon's own (the tunnel, via undici). */
  readonly fetch?: typeof fetch;
  /** Roots shipped with the runtime (tls.getCACertificates('bundled')). */
  bundledRoots(): readonly string[];
  /** Roots in the operating system's store (tls.getCACertificates('system')). */
  systemRoots(): readonly string[];
  /** Reads IT's extra CA bundle. */
  readText(path: string): Promise<string>;
  /** Credentials for a proxy that asked for Basic authentication; null when none are known. */
  proxyCredentials?(proxy: ProxyServer, schemes: readonly string[]): Promise<ProxyCredentials | null>;
  /** Name resolution (dns.lookup), for the connection test. */
  lookup(host: string): Promise<readonly string[]>;
  /** The certificate the platform's HTTP stack last saw for a host (Electron's verify proc), for its error messages. */
  presentedCertificate?(host: string): PresentedCertificate | null;
  /** Where the proxy decision comes from, in words ("system settings", "HTTPS_PROXY"…), for the connection test. */
  proxySource(): string;
}
