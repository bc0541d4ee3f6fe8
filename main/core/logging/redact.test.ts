import { describe, expect, it } from 'vitest';
import { REDACTED, isSensitiveKey, redact, redactString } from './redact.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'user-1', role: 'authenticated' })}.c2lnbmF0dXJlLXNlY3JldA`;
const REFRESH = 'v1.MRjcyTaLq3Pv-refresh';

describe('redactString', () => {
  it.each([
    ['a JWT in a message', `session restored for ${JWT} ok`, JWT, `session restored for ${REDACTED} ok`],
    ['a Bearer header', `Authorization: Bearer ${REFRESH}`, REFRESH, `Authorization: Bearer ${REDACTED}`],
    ['a refresh token in a URL query', `https://x.supabase.co/auth/v1/token?grant_type=refresh_token&refresh_token=${REFRESH}&x=1`, REFRESH, undefined],
    ['tokens in a URL fragment', `beacon://auth#access_token=${JWT}&refresh_token=${REFRESH}&type=magiclink`, REFRESH, undefined],
    ['a refresh token in JSON text', `{"access_token":"${JWT}","refresh_token":"${REFRESH}"}`, REFRESH, `{"access_token":"${REDACTED}","refresh_token":"${REDACTED}"}`],
    ['a refresh token in escaped JSON', `{\\"refresh_token\\":\\"${REFRESH}\\"}`, REFRESH, undefined],
    ['a password in text', 'login failed password=hunter2!', 'hunter2', `login failed password=${REDACTED}`],
    ['a publishable key', 'apikey header sb_publishable_AbCdEf0123456789xyz', 'AbCdEf0123456789xyz', `apikey header sb_publishable_${REDACTED}`],
    ['a secret key', 'using sb_secret_ZZZZ0123456789abcd by mistake', 'ZZZZ0123456789abcd', `using sb_secret_${REDACTED} by mistake`],
    ['a PKCE code in a callback URL', 'deep link beacon://auth/callback?code=4f1c2a9e-77&state=x', '4f1c2a9e-77', `deep link beacon://auth/callback?code=${REDACTED}&state=x`],
    ['credentials in a URL', 'connecting to postgres://postgres:s3cr3t@127.0.0.1:54322/db', 's3cr3t', `connecting to postgres://postgres:${REDACTED}@127.0.0.1:54322/db`],
  ])('masks %s', (_name, input, secret, expected) => {
    const output = redactString(input);
    expect(output).not.toContain(secret);
    expect(output).toContain(REDACTED);
    if (expected !== undefined) expect(output).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'task 4f6e finished; token_type=bearer; 3 contacts; https://x.supabase.co/rest/v1/tasks?select=id';
    expect(redactString(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redactString(`Bearer ${JWT} refresh_token=${REFRESH}`);
    expect(redactString(once)).toBe(once);
  });
});

describe('redact (values)', () => {
  it('masks session tokens nested in objects and arrays, keeping the rest', () => {
    const input = {
      event: 'TOKEN_REFRESHED',
      session: { access_token: JWT, refresh_token: REFRESH, expires_at: 1700000000, token_type: 'bearer', user: { email: 'a@b.c' } },
      history: [{ refreshToken: REFRESH }],
    };
    const output = redact(input);
    expect(output).toEqual({
      event: 'TOKEN_REFRESHED',
      session: { access_token: REDACTED, refresh_token: REDACTED, expires_at: 1700000000, token_type: 'bearer', user: { email: 'a@b.c' } },
      history: [{ refreshToken: REDACTED }],
    });
    expect(JSON.stringify(output)).not.toContain(REFRESH);
    // The caller's object is untouched.
    expect(input.session.refresh_token).toBe(REFRESH);
  });

  it.each(['password', 'apikey', 'apiKey', 'Authorization', 'supabaseAnonKey', 'anon_key', 'code_verifier', 'x-api-key'])('masks the %s field', (key) => {
    expect(redact({ [key]: 'value-123' })).toEqual({ [key]: REDACTED });
  });

  it('keeps absent sensitive values visible as absent', () => {
    expect(redact({ password: '', refresh_token: null, access_token: undefined })).toEqual({ password: '', refresh_token: null, access_token: undefined });
  });

  it('scans strings under ordinary keys', () => {
    expect(redact({ url: `https://x/cb?refresh_token=${REFRESH}`, note: `jwt ${JWT}` })).toEqual({
      url: `https://x/cb?refresh_token=${REDACTED}`,
      note: `jwt ${REDACTED}`,
    });
  });

  it('survives cycles and marks them', () => {
    const node: Record<string, unknown> = { name: 'root', access_token: JWT };
    node.self = node;
    node.children = [node];
    const output = redact(node) as Record<string, unknown>;
    expect(output).toEqual({ name: 'root', access_token: REDACTED, self: '[Circular]', children: ['[Circular]'] });
  });

  it('does not mistake a shared (non-cyclic) object for a cycle', () => {
    const shared = { a: 1 };
    expect(redact({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  it('masks errors: message, stack and fields, keeping the name', () => {
    const error = Object.assign(new TypeError(`refresh failed for ${JWT}`), { status: 400, refresh_token: REFRESH });
    const output = redact(error);
    expect(output).toBeInstanceOf(Error);
    expect(output.name).toBe('TypeError');
    expect(output.message).toBe(`refresh failed for ${REDACTED}`);
    expect(output.stack).not.toContain(JWT);
    expect(output).toMatchObject({ status: 400, refresh_token: REDACTED });
  });

  it('masks Map values under sensitive keys', () => {
    expect(redact(new Map<string, unknown>([['refresh_token', REFRESH], ['n', 1]]))).toEqual(new Map<string, unknown>([['refresh_token', REDACTED], ['n', 1]]));
  });

  it('passes primitives through', () => {
    expect(redact(42)).toBe(42);
    expect(redact(null)).toBe(null);
    expect(redact(undefined)).toBe(undefined);
  });
});

describe('isSensitiveKey', () => {
  it.each([
    ['access_token', true],
    ['providerRefreshToken', true],
    ['dbPassword', true],
    ['token_type', false],
    ['expires_at', false],
    ['email', false],
  ])('%s → %s', (key, expected) => {
    expect(isSensitiveKey(key)).toBe(expected);
  });
});
