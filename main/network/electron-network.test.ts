import { afterEach, describe, expect, it } from 'vitest';
import { app, net, FakeSession, fakeEvent, type FakeClientRequest } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { createTestCa } from '../../test/network/test-ca.ts';
import { NetworkFailure } from '../core/network/failures.ts';
import { DEFAULT_CONFIG } from '../core/config/config.ts';
import type { NetworkConfig } from '../core/network/proxy-decision.ts';
import { setUpElectronNetwork, type ElectronNetwork } from './electron-network.ts';

const base: NetworkConfig = {
  proxyMode: DEFAULT_CONFIG.proxyMode,
  proxyServer: undefined,
  proxyBypassList: undefined,
  proxyPacUrl: undefined,
  extraCaBundle: undefined,
};

const opened: ElectronNetwork[] = [];
const defaultOnRequest = net.onRequest;
afterEach(() => {
  for (const n of opened.splice(0)) n.dispose();
  net.requests.length = 0;
  net.onRequest = defaultOnRequest;
});

async function setUp(config: Partial<NetworkConfig>, extra: { session?: FakeSession; readText?: (path: string) => Promise<string>; credentials?: { username: string; password: string } | null } = {}) {
  const session = extra.session ?? new FakeSession();
  const logger = new RecordingLogger();
  const asked: unknown[] = [];
  const result = await setUpElectronNetwork({
    config: { ...base, ...config },
    logger,
    session: session as never,
    request: (options) => net.request(options as Record<string, unknown>) as never,
    ...(extra.readText ? { readText: extra.readText } : {}),
    systemRoots: () => [],
    lookup: () => Promise.resolve(['10.0.0.1']),
    credentials: {
      get: (target) => {
        asked.push(target);
        return Promise.resolve(extra.credentials ?? null);
      },
    },
  });
  opened.push(result);
  return { result, session, logger, asked };
}

describe('proxy settings → Chromium', () => {
  it('keeps the system settings by default and asks Chromium for every decision', async () => {
    const { result, session } = await setUp({});
    expect(session.proxyConfig).toEqual({ mode: 'system' });
    session.proxyFor = (url) => (url.startsWith('https://abc.supabase.co') ? 'PROXY proxy.corp:3128; DIRECT' : 'DIRECT');
    expect(await result.network.platform.resolveProxy('https://abc.supabase.co:443/')).toBe('PROXY proxy.corp:3128; DIRECT');
    expect(session.resolvedProxyUrls).toEqual(['https://abc.supabase.co:443/']);
    expect(result.network.platform.proxySource()).toBe('the system proxy settings');
  });

  it('applies a fixed proxy with its bypass list, a PAC file, or direct', async () => {
    expect((await setUp({ proxyMode: 'fixed', proxyServer: 'http://proxy.corp:3128', proxyBypassList: '*.corp;<local>' })).session.proxyConfig).toEqual({
      mode: 'fixed_servers',
      proxyRules: 'http://proxy.corp:3128',
      proxyBypassRules: '*.corp,<local>',
    });
    expect((await setUp({ proxyMode: 'pac', proxyPacUrl: 'https://wpad.corp/proxy.pac' })).session.proxyConfig).toEqual({ mode: 'pac_script', pacScript: 'https://wpad.corp/proxy.pac' });
    expect((await setUp({ proxyMode: 'direct' })).session.proxyConfig).toEqual({ mode: 'direct' });
  });

  it('reports "fixed" without a server and uses the system settings', async () => {
    const { result, session, logger } = await setUp({ proxyMode: 'fixed' });
    expect(session.proxyConfig).toEqual({ mode: 'system' });
    expect(result.problems).toEqual([expect.stringMatching(/no valid ProxyServer/)]);
    expect(logger.at('warn').map((e) => e.message)).toContain('network: ProxyMode is "fixed" but no valid ProxyServer is set; using the system proxy settings');
  });
});

describe('HTTP on Chromium\'s stack', () => {
  it('sends the request through net.request and returns its response', async () => {
    const { result } = await setUp({});
    net.onRequest = (request) => request.respond(201, JSON.stringify({ got: Buffer.concat(request.chunks).toString('utf8'), apikey: request.headers.apikey }), { 'content-type': 'application/json' });
    const response = await result.network.fetch('https://abc.supabase.co/rest/v1/rpc/x', { method: 'POST', headers: { apikey: 'k' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ got: '{"a":1}', apikey: 'k' });
    expect(net.requests[0]!.options).toMatchObject({ method: 'POST', url: 'https://abc.supabase.co/rest/v1/rpc/x', credentials: 'omit' });
  });

  it('answers a proxy sign-in challenge from the credential source, and never a server\'s', async () => {
    const { result, asked } = await setUp({}, { credentials: { username: 'agent', password: 'pw' } });
    const answers: unknown[] = [];
    net.onRequest = (request: FakeClientRequest) => {
      void (async () => {
        answers.push(await request.login({ isProxy: true, scheme: 'basic', host: 'proxy.corp', port: 3128, realm: 'corp' }));
        answers.push(await request.login({ isProxy: false, scheme: 'basic', host: 'abc.supabase.co', port: 443, realm: 'x' }));
        request.respond(200, 'ok');
      })();
    };
    expect(await (await result.network.fetch('https://abc.supabase.co/auth/v1/settings')).text()).toBe('ok');
    expect(answers).toEqual([{ username: 'agent', password: 'pw' }, { username: undefined, password: undefined }]);
    expect(asked).toEqual([{ isProxy: true, scheme: 'basic', host: 'proxy.corp', port: 3128, realm: 'corp' }]);
  });

  it('answers proxy challenges of web contents through app "login"', async () => {
    await setUp({}, { credentials: { username: 'agent', password: 'pw' } });
    const event = fakeEvent();
    const credentials = await new Promise((resolve) => {
      app.emit('login', event, null, {}, { isProxy: true, scheme: 'basic', host: 'proxy.corp', port: 3128, realm: 'corp' }, (username?: string, password?: string) => resolve({ username, password }));
    });
    expect(event.defaultPrevented).toBe(true);
    expect(credentials).toEqual({ username: 'agent', password: 'pw' });
  });

  it('says who issued an intercepting certificate when Chromium refuses it', async () => {
    const { result, session } = await setUp({});
    const verdicts: number[] = [];
    session.certificateVerifyProc!(
      { hostname: 'abc.supabase.co', errorCode: -202, verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID', certificate: electronCert('-', 'abc.supabase.co', 'Zscaler Root CA', 'Zscaler Inc.') } as never,
      (v) => verdicts.push(v),
    );
    expect(verdicts).toEqual([-3]);
    const changes: Array<string | null> = [];
    result.network.onFailureChange((f) => changes.push(f ? f.kind : null));
    net.onRequest = (request) => request.emit('error', new Error('net::ERR_CERT_AUTHORITY_INVALID'));
    const failure = await result.network.fetch('https://abc.supabase.co/auth/v1/token').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkFailure);
    expect((failure as NetworkFailure).message).toBe('The connection to abc.supabase.co is intercepted by a certificate Beacon does not trust: issued by Zscaler Root CA (Zscaler Inc.).');
    expect(result.network.problemMessage()).toMatch(/certificate store/);
    // The same failure again is not news; a request that gets through clears it (the shell's notice goes away).
    await result.network.fetch('https://abc.supabase.co/auth/v1/token').catch(() => undefined);
    net.onRequest = (request) => request.respond(200, 'ok');
    await result.network.fetch('https://abc.supabase.co/auth/v1/settings');
    expect(changes).toEqual(['certificate', null]);
    expect(result.network.lastFailure()).toBeNull();
  });
});

function electronCert(data: string, subject: string, issuer: string, org?: string) {
  const now = Math.floor(Date.now() / 1000);
  return { data, subjectName: subject, issuerName: issuer, issuer: { organizations: org ? [org] : [] }, validStart: now - 3600, validExpiry: now + 3600, fingerprint: `${subject}-fp` };
}

describe('IT\'s extra CA bundle with Chromium\'s verifier', () => {
  it('accepts only an "authority invalid" chain that leads to a bundle root, for the right host', async () => {
    const ca = await createTestCa('Corp Inspection Root');
    const other = await createTestCa('Other Root');
    const leaf = await ca.issue(['abc.supabase.co']);
    const stranger = await other.issue(['abc.supabase.co']);
    const { result, session } = await setUp({ extraCaBundle: '/etc/beacon/corp.pem' }, { readText: () => Promise.resolve(ca.certPem) });
    expect(result.network.extraRootCount).toBe(1);
    const verify = (hostname: string, errorCode: number, data: string) =>
      new Promise<number>((resolve) => session.certificateVerifyProc!({ hostname, errorCode, verificationResult: '', certificate: electronCert(data, hostname, 'x') } as never, resolve));
    expect(await verify('abc.supabase.co', -202, leaf.cert)).toBe(0);
    expect(await verify('other.example', -202, leaf.cert)).toBe(-3);
    expect(await verify('abc.supabase.co', -202, stranger.cert)).toBe(-3);
    // Any other refusal (here: revoked) stays Chromium's, bundle or not.
    expect(await verify('abc.supabase.co', -201, leaf.cert)).toBe(-3);
    expect(await verify('abc.supabase.co', 0, leaf.cert)).toBe(-3);
  });

  it('removes its handlers on dispose', async () => {
    const { result, session } = await setUp({});
    const before = app.listenerCount('login');
    result.dispose();
    opened.splice(opened.indexOf(result), 1);
    expect(app.listenerCount('login')).toBe(before - 1);
    expect(session.certificateVerifyProc).toBeNull();
  });
});
