/**
 * Masks credentials before anything is written to a log: the Supabase session
 * (access and refresh tokens), passwords, API keys and Authorization headers.
 * Works on strings (free text, URLs, JSON) and on values of any shape, deeply
 * and safely with cycles. Log lines end up in support tickets, so the rule is
 * "when in doubt, mask".
 *
 * Also caught: URL-encoded pairs (`access_token%3D…`, `%22refresh_token%22%3A%22…`),
 * camelCase and kebab names (`accessToken=…`, `x-api-key: …`), `Token …`
 * authorization schemes, Buffers and typed arrays (never logged as bytes),
 * objects whose `toJSON` would re-expose what was masked. Never throws: a getter
 * that throws becomes `[Unreadable]`, anything else unloggable `[Unloggable]`.
 */

export const REDACTED = '[redacted]';

/** Key names (compared lower-case with `-`/`_` removed) whose values are always masked. */
const SENSITIVE_KEYS = new Set([
  'accesstoken',
  'refreshtoken',
  'providertoken',
  'providerrefreshtoken',
  'idtoken',
  'token',
  'tokenhash',
  'password',
  'newpassword',
  'passwd',
  'secret',
  'clientsecret',
  'apikey',
  'xapikey',
  'anonkey',
  'supabaseanonkey',
  'servicerolekey',
  'authorization',
  'cookie',
  'setcookie',
  'codeverifier',
]);

/** Suffixes that make any key sensitive (`sessionAccessToken`, `dbPassword`, …). */
const SENSITIVE_SUFFIXES = ['token', 'password', 'secret', 'apikey', 'anonkey', 'verifier'];

export function isSensitiveKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_\s]/g, '');
  return SENSITIVE_KEYS.has(normalized) || SENSITIVE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

// Names that, written as `name=value` or `"name": "value"`, carry a credential: snake, camel or kebab case.
const SENSITIVE_PAIR_NAMES = [
  'provider[_-]?refresh[_-]?token',
  'provider[_-]?token',
  'refresh[_-]?token',
  'access[_-]?token',
  'id[_-]?token',
  'token[_-]?hash',
  'code[_-]?verifier',
  'client[_-]?secret',
  'service[_-]?role[_-]?key',
  'x[_-]?api[_-]?key',
  'api[_-]?key',
  'anon[_-]?key',
  'new[_-]?password',
  'password',
  'passwd',
  'secret',
  'token',
].join('|');

// Separators between a name and its value, plain or URL-encoded (`%22` quote, `%3A` colon, `%3D` equals, `%20`/`+` space).
const QUOTE = `(?:\\\\?["']|%22|%27)`;
const SEP = `(?:\\s|%20|\\+)*(?:[:=]|%3A|%3D)(?:\\s|%20|\\+)*`;

interface StringRule {
  readonly pattern: RegExp;
  readonly replace: string | ((substring: string, ...groups: string[]) => string);
}

const STRING_RULES: readonly StringRule[] = [
  // JWTs: access tokens, legacy anon/service keys. Header and payload both start with `{"` → `eyJ`.
  { pattern: /(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, replace: REDACTED },
  // New-style Supabase keys.
  { pattern: /(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))sb_(publishable|secret)_[A-Za-z0-9_-]+/g, replace: `sb_$1_${REDACTED}` },
  // Authorization header values (also URL-encoded: `Bearer%20…`).
  { pattern: /(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))(Bearer|Basic)(?:\s|%20|\+)+[A-Za-z0-9._~+/=%-]+/gi, replace: `$1 ${REDACTED}` },
  // `Token <credential>` (Django/DRF-style schemes): only credential-looking values, so "Token has expired" stays.
  { pattern: /(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))(Token)(?:\s|%20|\+)+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/g, replace: `$1 ${REDACTED}` },
  // `refresh_token=…` in URLs and forms, `"refreshToken":"…"` in JSON, `x-api-key: …` in text, URL-encoded too.
  {
    pattern: new RegExp(`(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))(${SENSITIVE_PAIR_NAMES})(${QUOTE}?${SEP}${QUOTE}?)(?!\\[redacted\\])((?:[^\\s"'\\\\&,;}\\]%]|%(?!2[26]|3[AD]|20)[0-9A-Fa-f]{2})+)`, 'gi'),
    replace: `$1$2${REDACTED}`,
  },
  // The PKCE/OAuth code in a callback URL (`?code=…`): single-use, but a credential until used.
  { pattern: /([?&#]code=)[^\s&#"']+/g, replace: `$1${REDACTED}` },
  // Credentials in a URL's user-info part (`https://user:secret@host`).
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, replace: `$1${REDACTED}@` },
];

export function redactString(text: string): string {
  try {
    let result = text;
    for (const rule of STRING_RULES) {
      rule.pattern.lastIndex = 0;
      result = result.replace(rule.pattern, rule.replace as string);
    }
    return result;
  } catch {
    return UNLOGGABLE;
  }
}

const UNLOGGABLE = '[Unloggable]';
const UNREADABLE = '[Unreadable]';

const MAX_DEPTH = 20;

/**
 * A copy of `value` with every credential masked: values under sensitive keys
 * become `[redacted]`, strings anywhere are scanned with `redactString`.
 * The input is never modified. Cycles become `[Circular]`.
 */
export function redact<T>(value: T): T {
  try {
    return redactInner(value, new WeakSet(), 0) as T;
  } catch {
    return UNLOGGABLE as T;
  }
}

/** Own enumerable entries, one getter at a time: a getter that throws gives `[Unreadable]` for that key only. */
function safeEntries(value: object): Array<[string, unknown]> {
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return [['value', UNREADABLE]];
  }
  return keys.map((key) => {
    try {
      return [key, (value as Record<string, unknown>)[key]];
    } catch {
      return [key, UNREADABLE];
    }
  });
}

function redactInner(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  // Binary data may hold a token's bytes; the log says only how much there was.
  if (ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactInner(item, seen, depth + 1));
    if (value instanceof Error) return redactError(value, seen, depth);
    if (value instanceof Map) {
      return new Map(
        [...value.entries()].map(([key, item]) => [key, typeof key === 'string' && isSensitiveKey(key) ? maskValue(item) : redactInner(item, seen, depth + 1)]),
      );
    }
    if (value instanceof Set) return new Set([...value].map((item) => redactInner(item, seen, depth + 1)));
    // What a serializer would write is what toJSON returns: redact that, and never copy toJSON itself.
    const toJSON = (() => {
      try {
        return (value as { toJSON?: unknown }).toJSON;
      } catch {
        return undefined;
      }
    })();
    if (typeof toJSON === 'function') {
      let json: unknown;
      try {
        json = (toJSON as () => unknown).call(value);
      } catch {
        return UNREADABLE;
      }
      if (json !== value) return redactInner(json, seen, depth + 1);
    }
    const copy: Record<string, unknown> = {};
    for (const [key, item] of safeEntries(value)) {
      if (key === 'toJSON') continue;
      copy[key] = isSensitiveKey(key) ? maskValue(item) : redactInner(item, seen, depth + 1);
    }
    return copy;
  } catch {
    return UNLOGGABLE;
  } finally {
    // Only ancestors count as cycles; the same object reached twice by different paths is fine.
    seen.delete(value);
  }
}

/** Keeps "absent" visible (null, undefined, empty) so logs still say whether a value was there. */
function maskValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  return REDACTED;
}

function redactError(error: Error, seen: WeakSet<object>, depth: number): Error {
  const read = (get: () => unknown): unknown => {
    try {
      return get();
    } catch {
      return UNREADABLE;
    }
  };
  const message = read(() => error.message);
  const copy = new Error(typeof message === 'string' ? redactString(message) : UNREADABLE);
  const name = read(() => error.name);
  copy.name = typeof name === 'string' ? name : 'Error';
  const stack = read(() => error.stack);
  copy.stack = typeof stack === 'string' ? redactString(stack) : undefined;
  const target = copy as unknown as Record<string, unknown>;
  for (const [key, item] of safeEntries(error)) {
    target[key] = isSensitiveKey(key) ? maskValue(item) : redactInner(item, seen, depth + 1);
  }
  const cause = read(() => error.cause);
  if (cause !== undefined) copy.cause = redactInner(cause, seen, depth + 1);
  return copy;
}
