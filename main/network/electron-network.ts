/**
 * Beacon's network in the app, on Chromium's stack (the thin Electron side of
 * main/core/network):
 *
 * - IT's proxy keys become the session's ProxyConfig (session.setProxy; "system"
 *   keeps the OS settings, PAC and WPAD included) and every proxy decision is
 *   Chromium's own (session.resolveProxy), for HTTP and the WebSocket alike.
 * - HTTP (auth, REST) goes through Chromium (net.request, as net.fetch does) so
 *   the proxy schemes Chromium handles keep working: Negotiate/NTLM with the
 *   user's Windows sign-in, and Basic/Digest answered from the 'login' event.
 * - The Realtime WebSocket tunnels through the same proxy (CONNECT, Basic) with
 *   Node's TLS over the bundled + OS roots + IT's bundle (main/core/network).
 * - Chromium already trusts the OS store. For IT's extra bundle, the certificate
 *   verifier accepts a chain Chromium refused only as "authority invalid" when it
 *   leads to a bundle root (chainTrustedBy); every other verdict is Chromium's.
 *   The verifier also remembers what each host presented, for the error message.
 */
import { app as electronApp, net as electronNet, session as electronSession } from 'electron';
import type { App, AuthInfo, Certificate, ClientRequest, ClientRequestConstructorOptions, IncomingMessage, Session } from 'electron';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { getCACertificates } from 'node:tls';
import type { NetworkConfig } from '../core/network/proxy-decision.ts';
import { effectiveProxy, platformProxyConfig } from '../core/network/proxy-decision.ts';
import { BeaconNetwork } from '../core/network/network.ts';
import type { NetworkPlatform } from '../core/network/port.ts';
import { chainTrustedBy, type PresentedCertificate } from '../core/network/trust.ts';
import type { ProxyCredentials, ProxyServer } from '../core/network/tunnel.ts';
import type { Logger } from '../core/ports.ts';

/** Where proxy credentials come from (the user, once; kept in the secret store). */
export interface ProxyCredentialSource {
  get(proxy: { host: string; port: number; realm: string; scheme: string }): Promise<ProxyCredentials | null>;
}

export interface ElectronNetworkOptions {
  readonly config: NetworkConfig;
  readonly logger: Logger;
  readonly credentials?: ProxyCredentialSource;
  // Seams for tests; the defaults are Electron's.
  readonly session?: Pick<Session, 'setProxy' | 'resolveProxy' | 'setCertificateVerifyProc'>;
  readonly app?: Pick<App, 'on' | 'removeListener'>;
  readonly request?: (options: ClientRequestConstructorOptions) => ClientRequest;
  readonly readText?: (path: string) => Promise<string>;
  readonly systemRoots?: () => readonly string[];
  readonly lookup?: (host: string) => Promise<readonly string[]>;
}

export interface ElectronNetwork {
  readonly network: BeaconNetwork;
  /** IT's proxy settings that could not be applied, in plain words. */
  readonly problems: readonly string[];
  dispose(): void;
}

/** Chromium's verifier results: 0 accepts, -3 keeps Chromium's own verdict. */
const ACCEPT = 0;
const USE_CHROMIUM = -3;
const ERR_CERT_AUTHORITY_INVALID = -202;

function chainOf(certificate: Certificate): Certificate[] {
  const chain: Certificate[] = [];
  let current: Certificate | undefined = certificate;
  while (current && chain.length < 10) {
    chain.push(current);
    if (!current.issuerCert || current.issuerCert.fingerprint === current.fingerprint) break;
    current = current.issuerCert;
  }
  return chain;
}

export function presentedFromElectron(certificate: Certificate): PresentedCertificate {
  const chain = chainOf(certificate);
  const top = chain[chain.length - 1]!;
  const org = top.issuer?.organizations?.[0];
  const issuer = org && !top.issuerName.includes(org) ? `${top.issuerName} (${org})` : top.issuerName;
  return {
    subject: certificate.subjectName,
    issuer: issuer || 'an unknown issuer',
    validFrom: new Date(certificate.validStart * 1000).toUTCString(),
    validTo: new Date(certificate.validExpiry * 1000).toUTCString(),
  };
}

/** fetch on Chromium's stack (what net.fetch does), answering proxy sign-in challenges from `login`. */
export function chromiumFetch(request: (options: ClientRequestConstructorOptions) => ClientRequest, onLogin: (authInfo: AuthInfo) => Promise<ProxyCredentials | null>): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const clientRequest = request({ method: req.method, url: req.url, redirect: req.redirect === 'manual' ? 'manual' : req.redirect === 'error' ? 'error' : 'follow', credentials: 'omit', useSessionCookies: false });
    for (const [name, value] of req.headers) clientRequest.setHeader(name, value);
    clientRequest.on('login', (authInfo, callback) => {
      if (!authInfo.isProxy) {
        callback();
        return;
      }
      onLogin(authInfo).then(
        (credentials) => (credentials ? callback(credentials.username, credentials.password) : callback()),
        () => callback(),
      );
    });
    return new Promise<Response>((resolve, reject) => {
      const abort = () => {
        clientRequest.abort();
        reject(req.signal.reason instanceof Error ? req.signal.reason : new DOMException('The operation was aborted.', 'AbortError'));
      };
      if (req.signal.aborted) return abort();
      req.signal.addEventListener('abort', abort, { once: true });
      clientRequest.on('response', (response: IncomingMessage) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        const empty = [101, 204, 205, 304].includes(response.statusCode) || req.method === 'HEAD';
        const body = empty ? null : (Readable.toWeb(response as unknown as Readable) as ReadableStream);
        resolve(new Response(body, { status: response.statusCode, statusText: response.statusMessage, headers }));
      });
      clientRequest.on('error', (error: Error) => reject(error));
      if (req.body) {
        req.body.pipeTo(Writable.toWeb(clientRequest as unknown as Writable)).then(
          () => clientRequest.end(),
          (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
        );
      } else {
        clientRequest.end();
      }
    });
  };
}

export async function setUpElectronNetwork(options: ElectronNetworkOptions): Promise<ElectronNetwork> {
  const { logger } = options;
  const ses = options.session ?? electronSession.defaultSession;
  const app = options.app ?? electronApp;
  const { proxy, problems } = effectiveProxy(options.config);
  for (const problem of problems) logger.warn(`network: ${problem}`);
  await ses.setProxy(platformProxyConfig(proxy));
  logger.info('network: proxy settings applied', { mode: proxy.mode });

  const askCredentials = async (target: { host: string; port: number; realm: string; scheme: string }) => (options.credentials ? options.credentials.get(target) : null);

  // Proxy sign-in for any webContents (Chromium asks through the app's 'login' event).
  const onAppLogin = (event: { preventDefault(): void }, _contents: unknown, _details: unknown, authInfo: AuthInfo, callback: (username?: string, password?: string) => void) => {
    if (!authInfo.isProxy) return;
    event.preventDefault();
    askCredentials(authInfo).then(
      (credentials) => (credentials ? callback(credentials.username, credentials.password) : callback()),
      () => callback(),
    );
  };
  app.on('login', onAppLogin as never);

  const presented = new Map<string, PresentedCertificate>();
  let extraRoots: readonly string[] = [];
  ses.setCertificateVerifyProc((request, callback) => {
    try {
      if (request.errorCode !== 0) presented.set(request.hostname, presentedFromElectron(request.certificate));
      else presented.delete(request.hostname);
      if (request.errorCode === ERR_CERT_AUTHORITY_INVALID && extraRoots.length > 0) {
        const chain = chainOf(request.certificate).map((c) => c.data);
        if (chainTrustedBy(chain, request.hostname, extraRoots, new Date())) {
          logger.info('network: certificate accepted through the extra CA bundle', { host: request.hostname });
          callback(ACCEPT);
          return;
        }
      }
    } catch (error) {
      logger.warn('network: certificate check failed; keeping Chromium\'s verdict', { error: String(error) });
    }
    callback(USE_CHROMIUM);
  });

  const request = options.request ?? ((o: ClientRequestConstructorOptions) => electronNet.request(o));
  const platform: NetworkPlatform = {
    resolveProxy: (url) => ses.resolveProxy(url),
    fetch: chromiumFetch(request, (authInfo) => askCredentials(authInfo)),
    bundledRoots: () => getCACertificates('bundled'),
    systemRoots: options.systemRoots ?? (() => getCACertificates('system')),
    readText: options.readText ?? ((path) => readFile(path, 'utf8')),
    proxyCredentials: (server: ProxyServer, schemes) => askCredentials({ host: server.host, port: server.port, realm: '', scheme: schemes[0] ?? 'basic' }),
    lookup: options.lookup ?? (async (host) => (await lookup(host, { all: true })).map((entry) => entry.address)),
    presentedCertificate: (host) => presented.get(host.replace(/:\d+$/, '')) ?? null,
    proxySource: () =>
      proxy.mode === 'system' ? 'the system proxy settings' : proxy.mode === 'direct' ? 'IT policy (ProxyMode direct)' : proxy.mode === 'fixed' ? 'IT policy (ProxyServer)' : `IT policy (PAC file ${proxy.pacUrl})`,
  };
  const network = await BeaconNetwork.create({ platform, extraCaBundle: options.config.extraCaBundle, logger });
  extraRoots = network.extraRoots;
  return {
    network,
    problems: [...problems, ...network.trustProblems],
    dispose: () => {
      app.removeListener('login', onAppLogin as never);
      ses.setCertificateVerifyProc(null);
      void network.close();
    },
  };
}
