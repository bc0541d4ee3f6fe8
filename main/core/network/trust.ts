/**
 * Which roots Beacon's own TLS connections trust (the Realtime WebSocket in the
 * app; everything in the headless runner): the roots bundled with Node, the
 * operating system's store (where IT installs a TLS-inspection root) and an
 * optional PEM bundle IT points to (ExtraCaBundle). Verification is never
 * turned off: there is no option for it.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

export interface TrustSources {
  /** Node's bundled Mozilla roots (tls.getCACertificates('bundled')). */
  readonly bundled: readonly string[];
  /** The OS store (tls.getCACertificates('system')); tests inject their own. */
  readonly system: readonly string[];
  /** IT's extra bundle, already split into certificates. */
  readonly extra: readonly string[];
}

/** Every root once, in the order bundled, system, extra. */
export function trustedRoots(sources: TrustSources): string[] {
  const seen = new Set<string>();
  const roots: string[] = [];
  for (const pem of [...sources.bundled, ...sources.system, ...sources.extra]) {
    const key = pem.replace(/\s+/g, '');
    if (seen.has(key)) continue;
    seen.add(key);
    roots.push(pem);
  }
  return roots;
}

export interface PemBundle {
  readonly certificates: readonly string[];
  /** In plain words, for the log and the connection test; empty when the file was fine. */
  readonly problems: readonly string[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM file; blocks that are not certificates are reported, not fatal. */
export function splitPemBundle(text: string, origin: string): PemBundle {
  const certificates: string[] = [];
  const problems: string[] = [];
  const blocks = text.match(PEM_BLOCK) ?? [];
  blocks.forEach((block, index) => {
    try {
      const cert = new X509Certificate(block);
      certificates.push(`${block.trim()}\n`);
      if (!cert.ca) problems.push(`certificate ${index + 1} in ${origin} (${cert.subject.replaceAll('\n', ', ')}) is not a CA certificate; kept anyway`);
    } catch {
      problems.push(`block ${index + 1} in ${origin} is not a readable certificate; ignored`);
    }
  });
  if (blocks.length === 0) problems.push(`${origin} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); ignored`);
  return { certificates, problems };
}

/** Reads IT's bundle; a missing or unreadable file is a problem to report, never a crash. */
export async function loadExtraBundle(path: string | undefined, readText: (path: string) => Promise<string>): Promise<PemBundle> {
  if (!path) return { certificates: [], problems: [] };
  try {
    return splitPemBundle(await readText(path), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { certificates: [], problems: [`the extra CA bundle ${path} could not be read (${code ?? String(error)}); Beacon trusts only the system and bundled roots`] };
  }
}

/** What a server presented, in the words of a certificate viewer. */
export interface PresentedCertificate {
  readonly subject: string;
  /** Who issued the top of the presented chain: the root Beacon would need to trust. */
  readonly issuer: string;
  readonly validFrom: string | null;
  readonly validTo: string | null;
}

type NameFields = Readonly<Record<string, string | string[] | undefined>> | undefined;
interface PeerLike {
  readonly subject?: NameFields;
  readonly issuer?: NameFields;
  readonly valid_from?: string;
  readonly valid_to?: string;
  readonly issuerCertificate?: PeerLike;
  readonly fingerprint256?: string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** "Example Inspection Root (Example Corp)" from a certificate name. */
export function formatName(name: NameFields): string {
  if (!name) return 'an unknown issuer';
  const cn = first(name.CN);
  const org = first(name.O);
  if (cn && org && !cn.includes(org)) return `${cn} (${org})`;
  return cn ?? org ?? (Object.entries(name).map(([k, v]) => `${k}=${first(v) ?? ''}`).join(', ') || 'an unknown issuer');
}

/** From Node's getPeerCertificate(true): the leaf, and the issuer of the last certificate the server sent. */
export function describePeer(peer: PeerLike | null | undefined): PresentedCertificate | null {
  if (!peer || !peer.subject) return null;
  let top = peer;
  const seen = new Set<string>();
  while (top.issuerCertificate && top.issuerCertificate !== top && top.issuerCertificate.fingerprint256 !== top.fingerprint256) {
    const key = top.issuerCertificate.fingerprint256 ?? String(seen.size);
    if (seen.has(key)) break;
    seen.add(key);
    top = top.issuerCertificate;
  }
  return { subject: formatName(peer.subject), issuer: formatName(top.issuer), validFrom: peer.valid_from ?? null, validTo: peer.valid_to ?? null };
}

/** OpenSSL verification codes Node reports for an untrusted chain. */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const NAME = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const REVOKED = new Set(['CERT_REVOKED']);

export type CertificateProblem = 'untrusted' | 'expired' | 'wrong-name' | 'revoked' | 'invalid';

export function certificateProblem(code: string | undefined): CertificateProblem | null {
  if (!code) return null;
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (EXPIRED.has(code)) return 'expired';
  if (NAME.has(code)) return 'wrong-name';
  if (REVOKED.has(code)) return 'revoked';
  if (/^CERT_|_CERT_|^ERR_TLS_CERT/.test(code)) return 'invalid';
  return null;
}

/** A TLS connection refused because of the server's certificate, in plain words. */
export class CertificateError extends Error {
  readonly problem: CertificateProblem;
  readonly code: string;
  readonly host: string;
  readonly presented: PresentedCertificate | null;
  constructor(host: string, code: string, problem: CertificateProblem, presented: PresentedCertificate | null, options?: { cause?: unknown }) {
    super(certificateMessage(host, problem, presented, code), options);
    this.name = 'CertificateError';
    this.host = host;
    this.code = code;
    this.problem = problem;
    this.presented = presented;
  }
}

export function certificateMessage(host: string, problem: CertificateProblem, presented: PresentedCertificate | null, code: string): string {
  const issuer = presented?.issuer ?? 'an issuer Beacon could not read';
  switch (problem) {
    case 'untrusted':
      return `The connection to ${host} is intercepted by a certificate Beacon does not trust: issued by ${issuer}.`;
    case 'expired':
      return `The certificate ${host} presented is not valid now (valid ${presented?.validFrom ?? '?'} to ${presented?.validTo ?? '?'}; issued by ${issuer}).`;
    case 'wrong-name':
      return `The certificate presented for ${host} is for another name (${presented?.subject ?? 'unknown'}, issued by ${issuer}).`;
    case 'revoked':
      return `The certificate ${host} presented has been revoked (issued by ${issuer}).`;
    case 'invalid':
      return `The certificate ${host} presented was refused (${code}; issued by ${issuer}).`;
  }
}

export function certificateFix(problem: CertificateProblem): string {
  switch (problem) {
    case 'untrusted':
      return 'If this issuer is your company\'s TLS-inspection root, IT installs it in the operating system\'s certificate store (or points the ExtraCaBundle policy to a PEM file holding it). Otherwise something on this network intercepts the connection: tell IT.';
    case 'expired':
      return 'Check the computer\'s date and time; if it is right, the server (or the inspecting proxy) presents an expired certificate: tell IT.';
    case 'wrong-name':
      return 'Check the Supabase URL; if it is right, a proxy or captive portal answers in the project\'s place: tell IT.';
    case 'revoked':
    case 'invalid':
      return 'The server or the inspecting proxy presents a certificate that cannot be used: tell IT.';
  }
}

/**
 * For a platform whose own verifier does not know IT's extra bundle (Chromium):
 * is this chain (leaf first, PEM) issued for `hostname`, valid at `now`, and
 * signed, link by link, up to one of `roots`? Used only to accept what the
 * platform refused as "authority invalid"; every other refusal stands.
 */
export function chainTrustedBy(chainPem: readonly string[], hostname: string, roots: readonly string[], now: Date): boolean {
  if (chainPem.length === 0 || roots.length === 0) return false;
  let chain: X509Certificate[];
  let anchors: X509Certificate[];
  try {
    chain = chainPem.map((pem) => new X509Certificate(pem));
    anchors = roots.map((pem) => new X509Certificate(pem));
  } catch {
    return false;
  }
  const valid = (cert: X509Certificate) => new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
  const leaf = chain[0]!;
  if ((isIP(hostname) ? leaf.checkIP(hostname) : leaf.checkHost(hostname)) === undefined) return false;
  for (const cert of chain) if (!valid(cert)) return false;
  for (let i = 0; i + 1 < chain.length; i += 1) {
    const child = chain[i]!;
    const parent = chain[i + 1]!;
    if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
  }
  const top = chain[chain.length - 1]!;
  return anchors.some((root) => valid(root) && root.ca && (top.fingerprint256 === root.fingerprint256 || (top.checkIssued(root) && top.verify(root.publicKey))));
}
