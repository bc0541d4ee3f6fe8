import { describe, expect, it } from 'vitest';
import { certificateProblem, chainTrustedBy, describePeer, formatName, loadExtraBundle, splitPemBundle, trustedRoots, CertificateError } from './trust.ts';
import { classifyChromiumError, classifyNetworkError } from './failures.ts';
import { ProxyError } from './tunnel.ts';
import { createTestCa } from '../../../test/network/test-ca.ts';

describe('trusted roots', () => {
  it('are the bundled, system and IT roots, each once', () => {
    expect(trustedRoots({ bundled: ['A', 'B'], system: ['B', 'C'], extra: ['A ', 'D'] })).toEqual(['A', 'B', 'C', 'D']);
  });

  it('reads a PEM bundle, reporting what is not a certificate', async () => {
    const ca = await createTestCa('Corp Root');
    const leaf = await ca.issue(['x.example']);
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const bundle = splitPemBundle(`# corp roots\n${ca.certPem}\n${broken}\n${leaf.cert}`, '/etc/beacon/roots.pem');
    expect(bundle.certificates).toHaveLength(2);
    expect(bundle.problems).toEqual([
      'block 2 in /etc/beacon/roots.pem is not a readable certificate; ignored',
      expect.stringMatching(/^certificate 3 in \/etc\/beacon\/roots.pem \(CN=x.example\) is not a CA certificate; kept anyway$/),
    ]);
    expect(splitPemBundle('hello', 'f.pem').problems).toEqual(['f.pem holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); ignored']);
  });

  it('reports an unreadable bundle instead of failing', async () => {
    const bundle = await loadExtraBundle('/nope.pem', () => Promise.reject(Object.assign(new Error('x'), { code: 'EACCES' })));
    expect(bundle).toEqual({ certificates: [], problems: [expect.stringMatching(/could not be read \(EACCES\)/)] });
    expect(await loadExtraBundle(undefined, () => Promise.reject(new Error('unused')))).toEqual({ certificates: [], problems: [] });
  });
});

describe('what the server presented', () => {
  it('names the issuer of the top of the chain', () => {
    const root = { subject: { CN: 'Inspect Root', O: 'Corp' }, issuer: { CN: 'Inspect Root', O: 'Corp' }, fingerprint256: 'r' };
    const intermediate = { subject: { CN: 'Inspect CA 2' }, issuer: { CN: 'Inspect Root', O: 'Corp' }, fingerprint256: 'i', issuerCertificate: root };
    const leaf = { subject: { CN: 'abc.supabase.co' }, issuer: { CN: 'Inspect CA 2' }, valid_from: 'a', valid_to: 'b', fingerprint256: 'l', issuerCertificate: intermediate };
    expect(describePeer(leaf)).toEqual({ subject: 'abc.supabase.co', issuer: 'Inspect Root (Corp)', validFrom: 'a', validTo: 'b' });
    expect(describePeer(null)).toBeNull();
    expect(formatName({ O: 'Only Org' })).toBe('Only Org');
  });

  it('classifies OpenSSL codes', () => {
    expect(certificateProblem('SELF_SIGNED_CERT_IN_CHAIN')).toBe('untrusted');
    expect(certificateProblem('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')).toBe('untrusted');
    expect(certificateProblem('CERT_HAS_EXPIRED')).toBe('expired');
    expect(certificateProblem('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('wrong-name');
    expect(certificateProblem('ECONNRESET')).toBeNull();
  });
});

describe('failures in plain words', () => {
  const presented = { subject: 'abc.supabase.co', issuer: 'Zscaler Root CA (Zscaler Inc.)', validFrom: null, validTo: null };

  it('names the issuer for an intercepted connection, from Node and from Chromium alike', () => {
    const node = classifyNetworkError(new TypeError('fetch failed', { cause: new CertificateError('abc.supabase.co', 'SELF_SIGNED_CERT_IN_CHAIN', 'untrusted', presented) }), 'abc.supabase.co');
    expect(node.kind).toBe('certificate');
    expect(node.message).toBe('The connection to abc.supabase.co is intercepted by a certificate Beacon does not trust: issued by Zscaler Root CA (Zscaler Inc.).');
    const chromium = classifyChromiumError('net::ERR_CERT_AUTHORITY_INVALID', 'abc.supabase.co', presented);
    expect(chromium?.message).toBe(node.message);
    expect(chromium?.fix).toBe(node.fix);
  });

  it('tells proxy sign-in, proxy refusal, DNS and timeouts apart', () => {
    const proxy = { kind: 'proxy' as const, scheme: 'http' as const, host: 'p', port: 3128, url: 'http://p:3128' };
    expect(classifyNetworkError(new ProxyError('auth-required', proxy, 407, ['Negotiate'], 'asks'), 'h').kind).toBe('proxy-auth');
    expect(classifyNetworkError(new ProxyError('refused', proxy, 403, [], 'no'), 'h').kind).toBe('proxy-refused');
    expect(classifyNetworkError(new ProxyError('unreachable', proxy, null, [], 'down'), 'h').kind).toBe('proxy-unreachable');
    expect(classifyNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }), 'h:443').kind).toBe('name-resolution');
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), 'h').kind).toBe('timeout');
    expect(classifyChromiumError('net::ERR_TUNNEL_CONNECTION_FAILED', 'h', null)?.kind).toBe('proxy-refused');
    expect(classifyChromiumError('net::ERR_PROXY_CONNECTION_FAILED', 'h', null)?.kind).toBe('proxy-unreachable');
    expect(classifyChromiumError('net::ERR_PROXY_AUTH_UNSUPPORTED', 'h', null)?.kind).toBe('proxy-auth');
    expect(classifyChromiumError('nothing chromium', 'h', null)).toBeNull();
  });
});

describe('chainTrustedBy (IT bundle for a verifier that does not know it)', () => {
  it('accepts a chain to a bundle root for the right name and time only', async () => {
    const ca = await createTestCa('Corp Root');
    const other = await createTestCa('Other Root');
    const leaf = await ca.issue(['abc.supabase.co']);
    const expired = await ca.issue(['abc.supabase.co'], { expired: true });
    const now = new Date();
    expect(chainTrustedBy([leaf.cert], 'abc.supabase.co', [ca.certPem], now)).toBe(true);
    expect(chainTrustedBy([leaf.cert, ca.certPem], 'abc.supabase.co', [ca.certPem], now)).toBe(true);
    expect(chainTrustedBy([leaf.cert], 'evil.example', [ca.certPem], now)).toBe(false);
    expect(chainTrustedBy([leaf.cert], 'abc.supabase.co', [other.certPem], now)).toBe(false);
    expect(chainTrustedBy([expired.cert], 'abc.supabase.co', [ca.certPem], now)).toBe(false);
    expect(chainTrustedBy([leaf.cert], 'abc.supabase.co', [], now)).toBe(false);
    expect(chainTrustedBy(['garbage'], 'abc.supabase.co', [ca.certPem], now)).toBe(false);
  });
});
