/**
 * Property-based: a generated secret, placed in any of the ways credentials
 * reach logs (sensitive field names in snake/camel/kebab case, free text,
 * headers, URLs plain and URL-encoded, JSON text, Buffers, toJSON copies,
 * Errors, nested and cyclic values), never appears in a log line, neither
 * through redact() nor through a real pino logger (the headless one), and
 * redaction never throws, whatever it is given.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { propertySeed } from '../../../test/fakes/property-seed.ts';
import { headlessLogger } from '../../../tools/headless/logger.ts';
import { redact, redactString } from './redact.ts';
import { redactingLogger } from './redacting-logger.ts';

const secretArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{12,24}[0-9][A-Za-z0-9]{8}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{16,30}\.[A-Za-z0-9_-]{16,30}\.[A-Za-z0-9_-]{16,30}$/).map((s) => `eyJ${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{20,30}$/).map((s) => `sb_secret_${s}`),
);

const names = ['access_token', 'accessToken', 'refresh-token', 'refreshToken', 'providerToken', 'api_key', 'apiKey', 'x-api-key', 'X-Api-Key', 'password', 'newPassword', 'client_secret', 'serviceRoleKey', 'anonKey', 'token'];

type Placement = (secret: string, name: string) => unknown;

const placements: Record<string, Placement> = {
  field: (s, n) => ({ [n]: s }),
  nestedField: (s, n) => ({ request: { headers: { [n]: s } } }),
  freeTextEquals: (s, n) => ({ detail: `retrying with ${n}=${s} now` }),
  freeTextColon: (s, n) => `the header ${n}: ${s} was sent`,
  json: (s, n) => ({ body: JSON.stringify({ [n]: s, other: 1 }) }),
  escapedJson: (s, n) => ({ body: JSON.stringify(JSON.stringify({ [n]: s })) }),
  urlQuery: (s, n) => ({ url: `https://x.supabase.co/auth/v1/verify?${n}=${s}&type=signup` }),
  urlEncodedPair: (s, n) => ({ url: `https://app/cb?next=${encodeURIComponent(`https://x/#${n}=${s}&y=1`)}` }),
  urlEncodedJson: (s, n) => `state=${encodeURIComponent(JSON.stringify({ [n]: s }))}`,
  bearer: (s) => ({ message: `Authorization: Bearer ${s}` }),
  bearerEncoded: (s) => `h=Authorization%3A%20Bearer%20${s}`,
  tokenScheme: (s) => `Authorization: Token ${s}`,
  buffer: (s) => ({ payload: Buffer.from(`{"access_token":"${s}"}`) }),
  typedArray: (s) => ({ bytes: new TextEncoder().encode(s) }),
  toJSONCopy: (s, n) => ({ session: { toJSON: () => ({ [n]: s }) } }),
  toJSONOnClass: (s) => {
    class Session {
      private readonly inner: string;
      constructor(t: string) {
        this.inner = t;
      }
      toJSON() {
        return { refresh_token: this.inner };
      }
    }
    return { session: new Session(s) };
  },
  error: (s, n) => ({ error: Object.assign(new Error(`request failed: ${n}=${s}`), { config: { headers: { authorization: `Bearer ${s}` } } }) }),
  errorCause: (s, n) => ({ error: new Error('outer', { cause: { [n]: s } }) }),
  map: (s, n) => ({ m: new Map([[n, s]]) }),
  cyclic: (s, n) => {
    const o: Record<string, unknown> = { [n]: s };
    o.self = o;
    return { o };
  },
  throwingGetterBeside: (s, n) => {
    const o: Record<string, unknown> = { [n]: s };
    Object.defineProperty(o, 'explodes', { enumerable: true, get: () => { throw new Error(`getter saw ${s}`); } });
    return o;
  },
};

function encodings(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')].filter((v, i, all) => all.indexOf(v) === i && v.length >= 12);
}

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('redaction (property-based)', () => {
  it('a generated secret never appears in any log line, in any placement, through redact() and the headless pino logger', () => {
    const seed = propertySeed('redaction placements');
    fc.assert(
      fc.property(secretArb, fc.constantFrom(...names), fc.constantFrom(...Object.keys(placements)), (secret, name, where) => {
        const value = placements[where]!(secret, name);
        const viaRedact = JSON.stringify(typeof value === 'string' ? redactString(value) : redact(value), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        const sink = capture();
        const logger = headlessLogger({ verbose: true, destination: sink.stream });
        if (typeof value === 'string') logger.warn(value);
        else logger.warn(`problem near ${where}`, value as Record<string, unknown>);
        const line = sink.lines.join('');
        expect(line.length).toBeGreaterThan(0);
        for (const form of encodings(secret)) {
          expect(viaRedact, `${where}/${name} via redact`).not.toContain(form);
          expect(line, `${where}/${name} via pino`).not.toContain(form);
        }
      }),
      { seed, numRuns: 1_500 },
    );
  });

  it('never throws, whatever it is given (getters that throw, proxies, odd values)', () => {
    const seed = propertySeed('redaction never throws');
    const hostile = fc.constantFrom<unknown>(
      new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } }),
      new Proxy({}, { get: () => { throw new Error('no get'); } }),
      Object.defineProperty({}, 'toJSON', { enumerable: true, get: () => { throw new Error('no json'); } }),
      { toJSON: () => { throw new Error('json failed'); } },
      Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('no message'); } }),
      10n,
      Symbol('s'),
      () => 1,
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), hostile, fc.dictionary(fc.string(), fc.oneof(fc.anything(), hostile))), (value) => {
        expect(() => redact(value)).not.toThrow();
        const sink: string[] = [];
        const logger = redactingLogger({ debug: () => {}, info: () => {}, warn: (m, f) => sink.push(m, JSON.stringify(f ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))), error: () => {} });
        expect(() => logger.warn('x', { value } as Record<string, unknown>)).not.toThrow();
      }),
      { seed, numRuns: 500 },
    );
  });

  it('leaves plain words alone: "Token has expired", health reasons, ids', () => {
    expect(redactString('Token has expired 3 seconds ago')).toBe('Token has expired 3 seconds ago');
    expect(redactString('refreshing the session token')).toBe('refreshing the session token');
    expect(redactString('task a3000000-0000-4000-8000-000000000001 completed')).toBe('task a3000000-0000-4000-8000-000000000001 completed');
  });
});
