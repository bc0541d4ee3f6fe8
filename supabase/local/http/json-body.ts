/**
 * Reading a request body as JSON, with a size limit and a nesting limit.
 * JSON.parse itself copes with deep nesting, but everything after it that
 * walks the value recursively (JSON.stringify, zod, the SQL builders) would
 * overflow the stack, so a body nested deeper than the limit is refused before
 * it is parsed.
 */
import type { IncomingMessage } from 'node:http';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in a body. */
export const DEFAULT_JSON_DEPTH_LIMIT = 128;

export type BodyResult =
  | { ok: true; empty: boolean; value: unknown }
  | { ok: false; reason: 'too_large'; message: string }
  | { ok: false; reason: 'too_deep'; message: string }
  | { ok: false; reason: 'invalid_json'; message: string };

export interface JsonBodyLimits {
  readonly limitBytes?: number;
  readonly maxDepth?: number;
}

/** Reads the whole body as UTF-8 text; rejects (without buffering further) once it exceeds the limit. */
export async function readBodyText(
  req: IncomingMessage,
  limitBytes = DEFAULT_BODY_LIMIT_BYTES,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return { ok: false, message: `Request body exceeds ${limitBytes} bytes` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) {
      req.resume();
      return { ok: false, message: `Request body exceeds ${limitBytes} bytes` };
    }
    chunks.push(buffer);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * The deepest nesting of `[`/`{` in JSON text, ignoring brackets inside strings.
 * One pass over the text; stops as soon as `maxDepth` is exceeded. The text need
 * not be valid JSON (JSON.parse decides that afterwards).
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** Reads and parses a JSON body. An empty body is reported as `empty` with value `undefined`. */
export async function readJsonBody(req: IncomingMessage, limits: number | JsonBodyLimits = {}): Promise<BodyResult> {
  const { limitBytes = DEFAULT_BODY_LIMIT_BYTES, maxDepth = DEFAULT_JSON_DEPTH_LIMIT } = typeof limits === 'number' ? { limitBytes: limits } : limits;
  const text = await readBodyText(req, limitBytes);
  if (!text.ok) return { ok: false, reason: 'too_large', message: text.message };
  if (text.text.trim() === '') return { ok: true, empty: true, value: undefined };
  if (exceedsJsonDepth(text.text, maxDepth)) {
    return { ok: false, reason: 'too_deep', message: `JSON nested deeper than ${maxDepth} levels` };
  }
  try {
    return { ok: true, empty: false, value: JSON.parse(text.text) as unknown };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', message: (error as Error).message };
  }
}
