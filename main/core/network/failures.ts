/**
 * Why a connection failed, in plain words, with what to change. One place for
 * Node's errors (the tunnel, undici), the tunnel's own ProxyError and
 * CertificateError, and Chromium's `net::ERR_*` (Electron's net.fetch).
 */
import { CertificateError, certificateFix, certificateMessage, type PresentedCertificate } from './trust.ts';
import { ProxyError } from './tunnel.ts';

export type FailureKind = 'certificate' | 'proxy-auth' | 'proxy-refused' | 'proxy-unreachable' | 'name-resolution' | 'unreachable' | 'timeout' | 'other';

export class NetworkFailure extends Error {
  readonly kind: FailureKind;
  /** What to change, for the connection test and the log. */
  readonly fix: string;
  readonly presented: PresentedCertificate | null;
  constructor(kind: FailureKind, message: string, fix: string, options?: { cause?: unknown; presented?: PresentedCertificate | null }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'NetworkFailure';
    this.kind = kind;
    this.fix = fix;
    this.presented = options?.presented ?? null;
  }
}

const PROXY_AUTH_FIX =
  'The proxy needs a sign-in Beacon does not have or that it refused. Ask IT whether Beacon may bypass proxy authentication for the Supabase host, or for the proxy account to use.';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && chain.length < 6) {
    chain.push(current);
    const next = (current as { cause?: unknown }).cause;
    if (Array.isArray((current as AggregateError).errors)) chain.push(...(current as AggregateError).errors);
    current = next;
  }
  return chain;
}

/** Chromium's error names (net::ERR_…) as Electron reports them; `presented` from the certificate check, where Beacon saw it. */
export function classifyChromiumError(message: string, host: string, presented: PresentedCertificate | null): NetworkFailure | null {
  const name = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (!name) return null;
  if (name.startsWith('ERR_CERT_') || name === 'ERR_SSL_PROTOCOL_ERROR' || name === 'ERR_BAD_SSL_CLIENT_AUTH_CERT') {
    const problem = name === 'ERR_CERT_AUTHORITY_INVALID' ? 'untrusted' : name === 'ERR_CERT_DATE_INVALID' ? 'expired' : name === 'ERR_CERT_COMMON_NAME_INVALID' ? 'wrong-name' : name === 'ERR_CERT_REVOKED' ? 'revoked' : 'invalid';
    return new NetworkFailure('certificate', certificateMessage(host, problem, presented, name), certificateFix(problem), { presented });
  }
  switch (name) {
    case 'ERR_PROXY_AUTH_UNSUPPORTED':
    case 'ERR_PROXY_AUTH_REQUESTED':
    case 'ERR_PROXY_AUTH_REQUESTED_WITH_NO_CONNECTION':
      return new NetworkFailure('proxy-auth', `The proxy asks for a sign-in Beacon could not give (${name}).`, PROXY_AUTH_FIX);
    case 'ERR_PROXY_CONNECTION_FAILED':
    case 'ERR_PROXY_CERTIFICATE_INVALID':
      return new NetworkFailure('proxy-unreachable', `Cannot reach the proxy chosen for ${host} (${name}).`, 'Check the proxy settings (system settings, PAC file, or the ProxyServer policy) and that the proxy is up.');
    case 'ERR_TUNNEL_CONNECTION_FAILED':
      return new NetworkFailure('proxy-refused', `The proxy refused to open a connection to ${host} (${name}).`, `Ask IT to allow CONNECT to ${host} on port 443 through the proxy.`);
    case 'ERR_NAME_NOT_RESOLVED':
      return new NetworkFailure('name-resolution', `The name ${host} cannot be resolved (${name}).`, 'Check the Supabase URL and the computer\'s DNS; on a network that only works through a proxy, check the proxy settings.');
    case 'ERR_CONNECTION_TIMED_OUT':
    case 'ERR_TIMED_OUT':
      return new NetworkFailure('timeout', `The connection to ${host} timed out (${name}).`, `A firewall may drop traffic to ${host}:443; see the hosts Beacon needs in the IT guide.`);
    default:
      return new NetworkFailure('unreachable', `Cannot reach ${host} (${name}).`, `Check the network and that ${host}:443 is allowed.`);
  }
}

export function classifyNetworkError(error: unknown, host: string): NetworkFailure {
  for (const cause of causes(error)) {
    if (cause instanceof NetworkFailure) return cause;
    if (cause instanceof CertificateError) {
      return new NetworkFailure('certificate', cause.message, certificateFix(cause.problem), { cause: error, presented: cause.presented });
    }
    if (cause instanceof ProxyError) {
      switch (cause.kind) {
        case 'auth-required':
        case 'auth-refused':
          return new NetworkFailure('proxy-auth', cause.message, PROXY_AUTH_FIX, { cause: error });
        case 'refused':
          return new NetworkFailure('proxy-refused', cause.message, `Ask IT to allow CONNECT to ${host} through the proxy.`, { cause: error });
        case 'unreachable':
          return new NetworkFailure('proxy-unreachable', cause.message, 'Check the proxy settings (system settings, PAC file, ProxyServer policy or HTTPS_PROXY) and that the proxy is up.', { cause: error });
      }
    }
    const message = cause instanceof Error ? cause.message : '';
    const chromium = classifyChromiumError(message, host, null);
    if (chromium) return chromium;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new NetworkFailure('name-resolution', `The name ${host.replace(/:\d+$/, '')} cannot be resolved (${code}).`, 'Check the Supabase URL and DNS; on a network that only works through a proxy, check the proxy settings.', { cause: error });
    }
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new NetworkFailure('timeout', `The connection to ${host} timed out.`, `A firewall may drop traffic to ${host}; see the hosts Beacon needs in the IT guide.`, { cause: error });
    }
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return new NetworkFailure('unreachable', `Cannot reach ${host} (${code}).`, `Check the network and that ${host} is allowed through the firewall.`, { cause: error });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NetworkFailure('other', `The connection to ${host} failed (${message}).`, 'Run the connection test again; if it persists, send the log to IT.', { cause: error });
}
