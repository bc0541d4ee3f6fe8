/**
 * Masks credentials before anything is written to a log: the Supabase session
 * (access and refresh tokens), passwords, API keys and Authorization headers.
 * Works on strings (free text, URLs, JSON) and on values of any shape, deeply
 * and safely with cycles. Log lines end up in support tickets, so the rule is
 * "when in doubt, mask".
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

// Names that, written as `name=value` or `"name": "value"`, carry a credential.
const SENSITIVE_PAIR_NAMES = [
  'provider_refresh_token',
  'provider_token',
  'refresh_token',
  'access_token',
  'id_token',
  'token_hash',
  'code_verifier',
  'password',
  'apikey',
  'api_key',
  'anon_key',
  'secret',
].join('|');

interface StringRule {
  readonly pattern: RegExp;
  readonly replace: string | ((substring: string, ...groups: string[]) => string);
}

const STRING_RULES: readonly StringRule[] = [
  // JWTs: access tokens, legacy anon/service keys. Header and payload both start with `{"` → `eyJ`.
  { pattern: /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, replace: REDACTED },
  // New-style Supabase keys.
  { pattern: /\bsb_(publishable|secret)_[A-Za-z0-9_-]+/g, replace: `sb_$1_${REDACTED}` },
  // Authorization header values.
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, replace: `$1 ${REDACTED}` },
  // `refresh_token=…` in URLs and forms, `"refresh_token":"…"` in JSON, `password: …` in text.
  {
    pattern: new RegExp(`(?<![A-Za-z0-9])(${SENSITIVE_PAIR_NAMES})(\\\\?["']?\\s*[:=]\\s*\\\\?["']?)(?!\\[redacted\\])([^\\s"'\\\\&,;}\\]]+)`, 'gi'),
    replace: `$1$2${REDACTED}`,
  },
  // The PKCE/OAuth code in a callback URL (`?code=…`): single-use, but a credential until used.
  { pattern: /([?&#]code=)[^\s&#"']+/g, replace: `$1${REDACTED}` },
  // Credentials in a URL's user-info part (`https://user:secret@host`).
  { pattern: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, replace: `$1${REDACTED}@` },
];

export function redactString(text: string): string {
  let result = text;
  for (const rule of STRING_RULES) {
    rule.pattern.lastIndex = 0;
    result = result.replace(rule.pattern, rule.replace as string);
  }
  return result;
}

const MAX_DEPTH = 20;

/**
 * A copy of `value` with every credential masked: values under sensitive keys
 * become `[redacted]`, strings anywhere are scanned with `redactString`.
 * The input is never modified. Cycles become `[Circular]`.
 */
export function redact<T>(value: T): T {
  return redactInner(value, new WeakSet(), 0) as T;
}

function redactInner(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  // Dates and binary data hold no text we could scan sensibly; pass them through.
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
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
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = isSensitiveKey(key) ? maskValue(item) : redactInner(item, seen, depth + 1);
    }
    return copy;
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
  const copy = new Error(redactString(error.message));
  copy.name = error.name;
  copy.stack = error.stack === undefined ? undefined : redactString(error.stack);
  const target = copy as unknown as Record<string, unknown>;
  for (const [key, item] of Object.entries(error)) {
    target[key] = isSensitiveKey(key) ? maskValue(item) : redactInner(item, seen, depth + 1);
  }
  if (error.cause !== undefined) copy.cause = redactInner(error.cause, seen, depth + 1);
  return copy;
}
