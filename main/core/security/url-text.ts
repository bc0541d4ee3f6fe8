/**
 * Checks on a URL's raw text, made before `new URL()` sees it. The WHATWG parser
 * quietly strips tabs/newlines and resolves `..` and `%2e%2e`, so a hostile string
 * can look harmless once parsed; these catch what the parsed form hides.
 */

/** Whitespace or control characters anywhere (the parser drops some of them silently). */
export function hasWhitespaceOrControl(raw: string): boolean {
  return /[\s\p{Cc}]/u.test(raw);
}

/**
 * Dot segments (`/../`, `/./`) or their percent-encoded forms, encoded slashes or
 * backslashes, or a literal backslash, anywhere after the scheme.
 */
export function hasPathTraversal(raw: string): boolean {
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:/i, '');
  if (/%2e|%2f|%5c/i.test(rest)) return true;
  if (rest.includes('\\')) return true;
  return /(^|\/)\.{1,2}(\/|\?|#|$)/.test(rest);
}

/**
 * A short, single-line rendering of untrusted input for logs: at most `max`
 * characters, control characters escaped, so a crafted link cannot flood the
 * log or forge log lines.
 */
export function previewForLog(raw: unknown, max = 100): string {
  if (typeof raw !== 'string') return `<${raw === null ? 'null' : typeof raw}>`;
  const head = raw.slice(0, max);
  const escaped = JSON.stringify(head).slice(1, -1);
  return raw.length > max ? `${escaped}… (${raw.length} chars)` : escaped;
}
