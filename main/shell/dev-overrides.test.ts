import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../core/config/config.ts';
import { DEV_ENV_ORIGIN, devOverrides } from './dev-overrides.ts';

const ANON_KEY = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"role":"anon"}').toString('base64url')}.sig`;
const env = { BEACON_DEV_SUPABASE_URL: 'http://127.0.0.1:54321', BEACON_DEV_ANON_KEY: ANON_KEY, BEACON_DEV_EMAIL: 'agent.a@beacon.local', BEACON_DEV_PASSWORD: 'beacon-demo-a' };

describe('devOverrides', () => {
  it('turns the four variables into a machine layer and a sign-in in unpackaged runs', () => {
    expect(devOverrides(false, env)).toEqual({
      layer: { source: 'machine', origin: DEV_ENV_ORIGIN, values: { supabaseUrl: 'http://127.0.0.1:54321', supabaseAnonKey: ANON_KEY } },
      signIn: { email: 'agent.a@beacon.local', password: 'beacon-demo-a' },
    });
  });

  it('is empty in a packaged build, whatever the environment says', () => {
    expect(devOverrides(true, env)).toEqual({});
  });

  it('needs both halves of each pair', () => {
    expect(devOverrides(false, { BEACON_DEV_SUPABASE_URL: env.BEACON_DEV_SUPABASE_URL })).toEqual({});
    expect(devOverrides(false, { BEACON_DEV_EMAIL: env.BEACON_DEV_EMAIL })).toEqual({});
    expect(devOverrides(false, { BEACON_DEV_EMAIL: env.BEACON_DEV_EMAIL, BEACON_DEV_PASSWORD: '' })).toEqual({});
  });

  it('policy still wins over the dev layer, and bad values are rejected like any other source', () => {
    const layer = devOverrides(false, { ...env, BEACON_DEV_SUPABASE_URL: 'http://crm.example.com' }).layer!;
    const resolved = resolveConfig([layer]);
    expect(resolved.config.supabaseUrl).toBeUndefined();
    expect(resolved.problems[0]?.message).toMatch(/must use https/);
    const withPolicy = resolveConfig([{ source: 'policy', origin: 'gpo', values: { supabaseUrl: 'https://it.supabase.co' } }, devOverrides(false, env).layer!]);
    expect(withPolicy.config.supabaseUrl).toBe('https://it.supabase.co');
  });
});
