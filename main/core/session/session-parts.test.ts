import { AuthApiError, AuthRetryableFetchError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import type { SecretStore } from '../ports.ts';
import { MemorySecretStore } from '../storage/memory-store.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { describeRefusal, describeSignInError } from './auth-messages.ts';
import { countingFetch, newCounters, type RefreshRefusal } from './instrumentation.ts';
import { secretStoreStorage } from './secret-storage.ts';

describe('secretStoreStorage', () => {
  it('reads the store once per key and writes through', async () => {
    const store = new MemorySecretStore();
    await store.set('k', 'v1');
    let reads = 0;
    const counting: SecretStore = {
      get: (key) => {
        reads += 1;
        return store.get(key);
      },
      set: (key, value) => store.set(key, value),
      delete: (key) => store.delete(key),
    };
    const storage = secretStoreStorage(counting, new RecordingLogger());
    expect(await storage.getItem('k')).toBe('v1');
    expect(await storage.getItem('k')).toBe('v1');
    expect(reads).toBe(1);
    await storage.setItem('k', 'v2');
    expect(await store.get('k')).toBe('v2');
    expect(await storage.getItem('k')).toBe('v2');
    await storage.removeItem('k');
    expect(await store.get('k')).toBeUndefined();
    expect(await storage.getItem('k')).toBeNull();
    expect(reads).toBe(1);
  });

  it('an unreadable store means no session; a failed write fails; a failed erase still signs out in memory', async () => {
    const logger = new RecordingLogger();
    const broken: SecretStore = {
      get: async () => {
        throw new Error('keychain locked');
      },
      set: async () => {
        throw new Error('disk full');
      },
      delete: async () => {
        throw new Error('disk full');
      },
    };
    const storage = secretStoreStorage(broken, logger);
    expect(await storage.getItem('k')).toBeNull();
    await expect(storage.setItem('k', 'token')).rejects.toThrow('disk full');
    await storage.removeItem('k');
    expect(await storage.getItem('k')).toBeNull();
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('error')).toHaveLength(1);
    expect(JSON.stringify(logger.entries)).not.toContain('token');
  });
});

describe('countingFetch', () => {
  const respond = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status });

  it('counts REST and auth requests', async () => {
    const counters = newCounters();
    const fetcher = countingFetch(respond(200, {}), counters, () => {});
    await fetcher('http://h/rest/v1/rpc/beacon_snapshot', { method: 'POST' });
    await fetcher('http://h/auth/v1/token?grant_type=password', { method: 'POST' });
    await fetcher(new URL('http://h/auth/v1/user'));
    expect(counters).toMatchObject({ rest: 1, auth: 2, other: 0 });
  });

  const cases: Array<{ name: string; url: string; status: number; body: unknown; refused: RefreshRefusal | null }> = [
    {
      name: 'refresh token already used',
      url: 'http://h/auth/v1/token?grant_type=refresh_token',
      status: 400,
      body: { code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' },
      refused: { status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' },
    },
    {
      name: 'legacy error shape',
      url: 'http://h/auth/v1/token?grant_type=refresh_token',
      status: 400,
      body: { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' },
      refused: { status: 400, code: 'refresh_token_not_found', message: 'Invalid Refresh Token: Refresh Token Not Found' },
    },
    { name: 'server error is not a refusal', url: 'http://h/auth/v1/token?grant_type=refresh_token', status: 503, body: {}, refused: null },
    { name: 'rate limit is not a refusal', url: 'http://h/auth/v1/token?grant_type=refresh_token', status: 429, body: {}, refused: null },
    { name: 'a wrong password is not a refresh refusal', url: 'http://h/auth/v1/token?grant_type=password', status: 400, body: { code: 'invalid_credentials' }, refused: null },
  ];
  it.each(cases)('$name', async ({ url, status, body, refused }) => {
    const seen: RefreshRefusal[] = [];
    const fetcher = countingFetch(respond(status, body), newCounters(), (refusal) => seen.push(refusal));
    const response = await fetcher(url, { method: 'POST' });
    expect(await response.json()).toEqual(body); // the caller still gets the body
    expect(seen).toEqual(refused ? [refused] : []);
  });
});

describe('auth messages', () => {
  it.each([
    [new AuthApiError('Invalid login credentials', 400, 'invalid_credentials'), 'wrong-credentials'],
    [new AuthApiError('Email not confirmed', 400, 'email_not_confirmed'), 'email-not-confirmed'],
    [new AuthApiError('Too many requests', 429, 'over_request_rate_limit'), 'rate-limited'],
    [new AuthRetryableFetchError('fetch failed', 0), 'network'],
    [new AuthRetryableFetchError('Service Unavailable', 503), 'server'],
    [new AuthApiError('boom', 500, 'unexpected_failure'), 'server'],
  ])('%s → %s', (error, kind) => {
    expect(describeSignInError(error).kind).toBe(kind);
  });

  it.each([
    ['refresh_token_already_used', /used somewhere else/],
    ['refresh_token_not_found', /no longer valid/],
    ['session_not_found', /no longer valid/],
    ['session_expired', /expired/],
    [null, /ended your session/],
  ])('refusal %s is explained', (code, message) => {
    expect(describeRefusal({ status: 400, code, message: null })).toMatch(message);
  });
});
