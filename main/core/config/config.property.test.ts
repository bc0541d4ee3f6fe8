/**
 * Property-based: no value of any config layer can throw at start-up. Every
 * key, every layer, any JSON-ish or hostile value (getters that throw, odd
 * objects): resolveConfig returns, every value it keeps is valid, and every
 * value it drops is reported as a problem naming its source.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { propertySeed } from '../../../test/fakes/property-seed.ts';
import { CONFIG_KEYS, configFields, crmContactUrl, resolveConfig, type ConfigLayer } from './config.ts';

const SOURCES = ['policy', 'machine', 'user'] as const;

/** Strings that look like the real thing, and break it in the ways IT does. */
const urlish = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('crm.example.com/{contactId}', 'https://crm.example.com/{contactId}', 'http://127.0.0.1:54321', 'https://', '://x', 'https://[::1', 'https://a b.com/{contactId}', '{contactId}', 'javascript:alert(1)//{contactId}', 'https://%zz/{contactId}'),
  fc.string().map((s) => `https://${s}/{contactId}`),
  fc.string(),
);

const hostile = fc.constantFrom<unknown>(
  Object.defineProperty({}, 'toString', { get: () => { throw new Error('boom'); } }),
  Object.create(null),
  [1, 2, 3],
  new Date(Number.NaN),
  Number.NaN,
  Infinity,
  -0,
  10n ** 30n,
  Symbol('x'),
  () => 'f',
);

const value = fc.oneof(urlish, fc.anything(), hostile, fc.boolean(), fc.constantFrom('0', '1', 'true', 'false', 0, 1, 'yes', ''));

function layerArb(): fc.Arbitrary<ConfigLayer> {
  return fc
    .record({
      source: fc.constantFrom(...SOURCES),
      origin: fc.string(),
      values: fc.dictionary(fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string()), value, { maxKeys: 8 }),
      throwing: fc.subarray([...CONFIG_KEYS]),
    })
    .map(({ source, origin, values, throwing }) => {
      const withGetters: Record<string, unknown> = { ...values };
      for (const key of throwing.slice(0, 1)) {
        Object.defineProperty(withGetters, key, { enumerable: true, get: () => { throw new Error('registry read failed'); } });
      }
      return { source, origin, values: withGetters };
    });
}

describe('resolveConfig (property-based)', () => {
  it('never throws for any layers; kept values are valid; dropped ones are reported', () => {
    const seed = propertySeed('config layers');
    fc.assert(
      fc.property(fc.array(layerArb(), { maxLength: 4 }), (layers) => {
        const resolved = resolveConfig(layers);
        for (const key of CONFIG_KEYS) {
          const kept = resolved.config[key];
          if (resolved.sources[key] !== 'default') expect(configFields[key].safeParse(kept).success).toBe(true);
        }
        if (typeof resolved.config.crmContactUrlTemplate === 'string') {
          expect(() => crmContactUrl(resolved.config.crmContactUrlTemplate, '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b')).not.toThrow();
        }
        for (const problem of resolved.problems) expect(typeof problem.message).toBe('string');
      }),
      { seed, numRuns: 400 },
    );
  });

  it('every key: a bad value from any source is a problem naming that source, and the next source wins', () => {
    const seed = propertySeed('config keys');
    fc.assert(
      fc.property(fc.constantFrom(...CONFIG_KEYS), fc.constantFrom(...SOURCES), value, (key, source, raw) => {
        let bad: boolean;
        try {
          bad = !configFields[key].safeParse(raw).success;
        } catch {
          bad = true;
        }
        const resolved = resolveConfig([{ source, origin: 'test', values: { [key]: raw } }]);
        if (bad && raw !== undefined && raw !== null && raw !== '') {
          expect(resolved.sources[key]).toBe('default');
          expect(resolved.problems.some((p) => p.key === key && p.source === source)).toBe(true);
        }
      }),
      { seed, numRuns: 600 },
    );
  });

  it('the field case: a CrmContactUrlTemplate without a scheme is a problem, not an "Invalid URL" crash', () => {
    const resolved = resolveConfig([{ source: 'policy', origin: 'HKLM\\Software\\Policies\\Beacon', values: { crmContactUrlTemplate: 'crm.example.com/{contactId}' } }]);
    expect(resolved.config.crmContactUrlTemplate).toBeUndefined();
    expect(resolved.problems[0]?.message).toMatch(/crmContactUrlTemplate from policy .*not a URL template/);
  });

  it('layers that are not objects, or whose values cannot be read, are problems too', () => {
    const throwingValues = new Proxy({}, { ownKeys: () => { throw new Error('denied'); } });
    expect(() => resolveConfig([{ source: 'machine', origin: 'x', values: 'oops' as never }, { source: 'user', origin: 'y', values: throwingValues }, null as never])).not.toThrow();
    expect(resolveConfig([{ source: 'user', origin: 'y', values: throwingValues }]).problems).toHaveLength(1);
  });
});
