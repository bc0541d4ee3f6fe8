import { describe, expect, it } from 'vitest';
import { envProxyFor, nodeNetworkPlatform } from './node-network.ts';

describe('the headless runner\'s proxy from the environment', () => {
  it('uses HTTPS_PROXY for https and wss, HTTP_PROXY for http, ALL_PROXY otherwise, either case', () => {
    const env = { HTTPS_PROXY: 'http://secure.corp:3128', http_proxy: 'plain.corp:8080' };
    expect(envProxyFor('https://abc.supabase.co/', env)).toBe('http://secure.corp:3128');
    expect(envProxyFor('wss://abc.supabase.co/realtime/v1/websocket', env)).toBe('http://secure.corp:3128');
    expect(envProxyFor('http://abc.example/', env)).toBe('http://plain.corp:8080');
    expect(envProxyFor('https://abc.supabase.co/', { ALL_PROXY: 'http://all.corp:1' })).toBe('http://all.corp:1');
    expect(envProxyFor('https://abc.supabase.co/', {})).toBeNull();
  });

  it('follows NO_PROXY the way curl does, and never proxies loopback', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy });
    expect(envProxyFor('https://abc.supabase.co/', env('supabase.co'))).toBeNull();
    expect(envProxyFor('https://abc.supabase.co/', env('.supabase.co'))).toBeNull();
    expect(envProxyFor('https://supabase.co.evil/', env('supabase.co'))).toBe('http://p:1');
    expect(envProxyFor('https://abc.supabase.co:8443/', env('abc.supabase.co:443'))).toBe('http://p:1');
    expect(envProxyFor('https://10.1.2.3/', env('10.0.0.0/8'))).toBeNull();
    expect(envProxyFor('https://anything/', env('*'))).toBeNull();
    expect(envProxyFor('http://127.0.0.1:54321/', { HTTP_PROXY: 'http://p:1' })).toBeNull();
  });

  it('answers in the PAC format and takes Basic credentials from the proxy URL', async () => {
    const platform = nodeNetworkPlatform({ env: { HTTPS_PROXY: 'http://agent:p%40ss@proxy.corp:3128', NO_PROXY: 'crm.corp' }, systemRoots: () => [] });
    expect(await platform.resolveProxy('https://abc.supabase.co/')).toBe('PROXY proxy.corp:3128');
    expect(await platform.resolveProxy('https://crm.corp/')).toBe('DIRECT');
    const proxy = { kind: 'proxy' as const, scheme: 'http' as const, host: 'proxy.corp', port: 3128, url: 'http://proxy.corp:3128' };
    expect(await platform.proxyCredentials!(proxy, ['Basic'])).toEqual({ username: 'agent', password: 'p@ss' });
    expect(await platform.proxyCredentials!({ ...proxy, port: 8080 }, ['Basic'])).toBeNull();
    expect(platform.proxySource()).toBe('the environment (HTTPS_PROXY, NO_PROXY)');
  });
});
