import { describe, expect, it } from 'vitest';
import { crmContactUrl, fromPolicyNames, resolveConfig, type ConfigLayer } from './config.ts';

const jwt = (payload: object) =>
  ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload)].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.c2lnbmF0dXJl';
const ANON = jwt({ role: 'anon', iss: 'supabase' });
const SERVICE = jwt({ role: 'service_role', iss: 'supabase' });

const layer = (source: ConfigLayer['source'], values: Record<string, unknown>): ConfigLayer => ({ source, origin: `${source}-origin`, values });

describe('resolveConfig', () => {
  it('uses defaults when nothing is configured', () => {
    const { config, locked, problems } = resolveConfig([]);
    expect(config).toMatchObject({ supabaseUrl: undefined, disableAutoUpdate: false, launchAtLogin: false });
    expect(locked.size).toBe(0);
    expect(problems).toEqual([]);
  });

  it('takes each key from the first source that sets it: policy, machine, user, default', () => {
    const { config, sources, locked } = resolveConfig([
      layer('user', { supabaseUrl: 'https://user.supabase.co', launchAtLogin: true, crmContactUrlTemplate: 'https://crm.example/c/{contactId}' }),
      layer('policy', { supabaseUrl: 'https://corp.supabase.co' }),
      layer('machine', { supabaseUrl: 'https://machine.supabase.co', supabaseAnonKey: ANON }),
    ]);
    expect(config.supabaseUrl).toBe('https://corp.supabase.co');
    expect(config.supabaseAnonKey).toBe(ANON);
    expect(config.launchAtLogin).toBe(true);
    expect(sources).toMatchObject({ supabaseUrl: 'policy', supabaseAnonKey: 'machine', launchAtLogin: 'user', disableAutoUpdate: 'default' });
    expect([...locked]).toEqual(['supabaseUrl']);
  });

  it.each([
    ['http://corp.supabase.co', /https/],
    ['ftp://corp.supabase.co', /https/],
    ['not a url', /not a URL/],
    ['https://user:pw@corp.supabase.co', /credentials/],
    ['https://corp.supabase.co/?x=1', /query/],
  ])('rejects the URL %s, naming its source, and falls back to the next source', (url, reason) => {
    const { config, sources, problems } = resolveConfig([layer('policy', { supabaseUrl: url }), layer('user', { supabaseUrl: 'https://ok.supabase.co' })]);
    expect(config.supabaseUrl).toBe('https://ok.supabase.co');
    expect(sources.supabaseUrl).toBe('user');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ key: 'supabaseUrl', source: 'policy' });
    expect(problems[0]!.message).toMatch(/from policy \(policy-origin\)/);
    expect(problems[0]!.message).toMatch(reason);
  });

  it('accepts plain http only for a local stack on loopback, and normalizes trailing slashes', () => {
    expect(resolveConfig([layer('user', { supabaseUrl: 'http://127.0.0.1:54321/' })]).config.supabaseUrl).toBe('http://127.0.0.1:54321');
    expect(resolveConfig([layer('user', { supabaseUrl: 'http://localhost:54321' })]).config.supabaseUrl).toBe('http://localhost:54321');
    expect(resolveConfig([layer('user', { supabaseUrl: 'http://10.0.0.5:54321' })]).problems).toHaveLength(1);
  });

  it.each([
    [SERVICE, 'a service-role key'],
    ['abc', 'garbage'],
    ['a.b', 'two segments'],
    [jwt({ iss: 'supabase' }), 'a JWT without a role'],
  ])('rejects %s as anon key (%s)', (key) => {
    const { config, problems } = resolveConfig([layer('machine', { supabaseAnonKey: key })]);
    expect(config.supabaseAnonKey).toBeUndefined();
    expect(problems[0]!.message).toMatch(/anon key/);
  });

  it('accepts a publishable key', () => {
    expect(resolveConfig([layer('user', { supabaseAnonKey: 'sb_publishable_abcdefghijkl' })]).config.supabaseAnonKey).toBe('sb_publishable_abcdefghijkl');
  });

  it('reads booleans the way registries and JSON write them', () => {
    const { config } = resolveConfig([layer('policy', { disableAutoUpdate: 1, allowInsecureTokenStorage: 'true', launchAtLogin: '0' })]);
    expect(config).toMatchObject({ disableAutoUpdate: true, allowInsecureTokenStorage: true, launchAtLogin: false });
  });

  it('reports unknown settings without failing', () => {
    const { problems } = resolveConfig([layer('machine', { supabaseUrll: 'https://typo.supabase.co' })]);
    expect(problems).toEqual([expect.objectContaining({ key: 'supabaseUrll', message: expect.stringMatching(/unknown setting/) })]);
  });

  it('maps IT policy names to config keys', () => {
    expect(fromPolicyNames({ SupabaseUrl: 'https://x', DisableAutoUpdate: 1, Other: 2 })).toEqual({
      supabaseUrl: 'https://x',
      disableAutoUpdate: 1,
      Other: 2,
    });
  });

  it('refuses a CRM template that is not https or lacks the placeholder', () => {
    const { problems } = resolveConfig([
      layer('policy', { crmContactUrlTemplate: 'http://crm.example/{contactId}' }),
      layer('machine', { crmContactUrlTemplate: 'https://crm.example/contacts' }),
    ]);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/https/), expect.stringMatching(/\{contactId\}/)]);
  });
});

describe('crmContactUrl', () => {
  it('fills the template with a contact id', () => {
    expect(crmContactUrl('https://crm.example/c/{contactId}/view', '3f1b2c4d-0000-4000-8000-000000000001')).toBe(
      'https://crm.example/c/3f1b2c4d-0000-4000-8000-000000000001/view',
    );
  });
  it('gives nothing without a template or for an id that is not a uuid', () => {
    expect(crmContactUrl(undefined, '3f1b2c4d-0000-4000-8000-000000000001')).toBeUndefined();
    expect(crmContactUrl('https://crm.example/c/{contactId}', '../../admin')).toBeUndefined();
  });
});

describe('network keys (proxy and trust)', () => {
  it('defaults to the system proxy and no extra roots', () => {
    const { config } = resolveConfig([]);
    expect(config).toMatchObject({ proxyMode: 'system', proxyServer: undefined, proxyBypassList: undefined, proxyPacUrl: undefined, extraCaBundle: undefined });
  });

  it('normalises valid values and locks them when set by policy', () => {
    const { config, locked, problems } = resolveConfig([
      layer('policy', fromPolicyNames({ ProxyMode: ' FIXED ', ProxyServer: 'proxy.corp.example:3128', ProxyBypassList: '*.corp.example, <local> ;10.0.0.0/8', ExtraCaBundle: 'C:\\ProgramData\\Beacon\\root.pem' })),
      layer('machine', { proxyPacUrl: 'https://wpad.corp.example/proxy.pac' }),
    ]);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      proxyMode: 'fixed',
      proxyServer: 'http://proxy.corp.example:3128',
      proxyBypassList: '*.corp.example;<local>;10.0.0.0/8',
      proxyPacUrl: 'https://wpad.corp.example/proxy.pac',
      extraCaBundle: 'C:\\ProgramData\\Beacon\\root.pem',
    });
    expect([...locked].sort()).toEqual(['extraCaBundle', 'proxyBypassList', 'proxyMode', 'proxyServer']);
  });

  it.each([
    ['proxyMode', 'auto'],
    ['proxyServer', 'http://user:secret@proxy:3128'],
    ['proxyServer', 'socks5://proxy:1080'],
    ['proxyServer', 'http://proxy:3128/path'],
    ['proxyBypassList', 'good.example;bad host"'],
    ['proxyPacUrl', ['file', '///etc/proxy.pac'].join(':')],
    ['proxyPacUrl', 'https://u:p@wpad.example/proxy.pac'],
    ['extraCaBundle', 'relative/root.pem'],
  ])('reports %s = %j with its source and falls back', (key, value) => {
    const { config, problems, locked } = resolveConfig([layer('policy', { [key]: value })]);
    expect(problems.map((p) => [p.key, p.source])).toEqual([[key, 'policy']]);
    expect(locked.size).toBe(0);
    expect(config.proxyMode).toBe('system');
  });
});
