/** Field names as PostgREST reads them from a URL, and identifiers as SQL needs them. */
import { queryParamError } from './errors.ts';

const PLAIN_NAME = /^[\p{L}\p{N}_$ -]+$/u;

/** Double-quotes an identifier; the value then can never end the identifier early. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw queryParamError('invalid identifier', 'Identifiers cannot contain NUL characters');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Reads one field name at the start of `text`: either `"quoted"` (backslash escapes
 * the next character) or a run of letters, digits, `_`, `$`, spaces and dashes.
 * Returns the name and the rest of the text after it.
 */
export function readFieldName(text: string, context: string): { name: string; rest: string } {
  if (text.startsWith('"')) {
    let name = '';
    for (let i = 1; i < text.length; i += 1) {
      const char = text[i] as string;
      if (char === '\\' && i + 1 < text.length) {
        name += text[i + 1];
        i += 1;
      } else if (char === '"') {
        return { name, rest: text.slice(i + 1) };
      } else {
        name += char;
      }
    }
    throw queryParamError(`failed to parse ${context}`, `unterminated quoted field name in ${JSON.stringify(text)}`);
  }
  const match = /^(?:[\p{L}\p{N}_$ ]|-(?!>))+/u.exec(text);
  const name = match?.[0].trim() ?? '';
  if (name === '' || !PLAIN_NAME.test(name)) {
    throw queryParamError(`failed to parse ${context}`, `expecting field name (* or [a..z0..9_$]) in ${JSON.stringify(text)}`);
  }
  return { name, rest: text.slice(match?.[0].length ?? 0) };
}

/** A whole string that must be exactly one field name. */
export function parseFieldName(text: string, context: string): string {
  const { name, rest } = readFieldName(text.trim(), context);
  if (rest.trim() !== '') {
    if (rest.startsWith('->') || rest.startsWith('::')) {
      throw queryParamError(`failed to parse ${context}`, `JSON paths and casts (${JSON.stringify(text)}) are not supported by the Beacon local stack`);
    }
    throw queryParamError(`failed to parse ${context}`, `unexpected ${JSON.stringify(rest)} after field name ${JSON.stringify(name)}`);
  }
  return name;
}
