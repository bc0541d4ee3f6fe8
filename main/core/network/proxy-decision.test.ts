import { describe, expect, it } from 'vitest';
import { describeChoice, effectiveProxy, firstChoice, fixedProxyResult, parsePacResult, platformProxyConfig, proxyChoice } from './proxy-decision.ts';

describe('PAC answers', () => {
  it('reads PROXY, HTTPS and DIRECT entries in order and skips SOCKS', () => {
    expect(parsePacResult('SOCKS5 s:1080; PROXY proxy.corp:3128; HTTPS secure.corp:443; DIRECT')).toEqual([
      { kind: 'proxy', scheme: 'http', host: 'proxy.corp', port: 3128, url: 'http://proxy.corp:3128' },
      { kind: 'proxy', scheme: 'https', host: 'secure.corp', port: 443, url: 'https://secure.corp:443' },
      { kind: 'direct' },
    ]);
  });

  it('is direct for an empty answer, and the first entry is the one used', () => {
    expect(firstChoice('')).toEqual({ kind: 'direct' });
    expect(firstChoice('DIRECT')).toEqual({ kind: 'direct' });
    expect(firstChoice('PROXY [fd00::1]:8080')).toMatchObject({ host: 'fd00::1', port: 8080, url: 'http://[fd00::1]:8080' });
  });

  it('describes the choice for the connection test', () => {
    expect(describeChoice(firstChoice('PROXY p:8080'))).toBe('through the proxy p:8080');
    expect(describeChoice(firstChoice('DIRECT'))).toBe('direct (no proxy)');
    expect(proxyChoice('socks5://p:1')).toBeNull();
  });
});

describe('IT settings → the platform', () => {
  it('maps every mode to Electron\'s ProxyConfig', () => {
    const base = { proxyServer: undefined, proxyBypassList: undefined, proxyPacUrl: undefined, extraCaBundle: undefined };
    expect(platformProxyConfig(effectiveProxy({ ...base, proxyMode: 'system' }).proxy)).toEqual({ mode: 'system' });
    expect(platformProxyConfig(effectiveProxy({ ...base, proxyMode: 'direct' }).proxy)).toEqual({ mode: 'direct' });
    expect(platformProxyConfig(effectiveProxy({ ...base, proxyMode: 'fixed', proxyServer: 'http://p.corp:3128', proxyBypassList: '*.corp;<local>' }).proxy)).toEqual({
      mode: 'fixed_servers',
      proxyRules: 'http://p.corp:3128',
      proxyBypassRules: '*.corp,<local>',
    });
    expect(platformProxyConfig(effectiveProxy({ ...base, proxyMode: 'pac', proxyPacUrl: 'https://wpad/p.pac' }).proxy)).toEqual({ mode: 'pac_script', pacScript: 'https://wpad/p.pac' });
  });

  it('falls back to the system settings, with the reason, when a mode lacks its value', () => {
    const base = { proxyServer: undefined, proxyBypassList: undefined, proxyPacUrl: undefined, extraCaBundle: undefined };
    expect(effectiveProxy({ ...base, proxyMode: 'fixed' })).toEqual({ proxy: { mode: 'system' }, problems: [expect.stringMatching(/no valid ProxyServer/)] });
    expect(effectiveProxy({ ...base, proxyMode: 'pac' })).toEqual({ proxy: { mode: 'system' }, problems: [expect.stringMatching(/no valid ProxyPacUrl/)] });
  });

  it('answers for a fixed proxy with its bypass list', () => {
    expect(fixedProxyResult('https://abc.supabase.co/', 'http://p.corp:3128', '*.corp')).toBe('PROXY p.corp:3128');
    expect(fixedProxyResult('https://crm.corp/', 'http://p.corp:3128', '*.corp')).toBe('DIRECT');
    expect(fixedProxyResult('https://abc.supabase.co/', 'https://p.corp:443', '')).toBe('HTTPS p.corp:443');
  });
});
