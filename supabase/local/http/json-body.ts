/** Reading a request body as JSON, with a size limit. */
import type { IncomingMessage } from 'node:http';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export type BodyResult =
  | { ok: true; empty: boolean; value: unknown }
  | { ok: false; reason: 'too_large'; message: string }
  | { ok: false; reason: 'invalid_json'; message: string };

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

/** Reads and parses a JSON body. An empty body is reported as `empty` with value `undefined`. */
export async function readJsonBody(req: IncomingMessage, limitBytes = DEFAULT_BODY_LIMIT_BYTES): Promise<BodyResult> {
  const text = await readBodyText(req, limitBytes);
  if (!text.ok) return { ok: false, reason: 'too_large', message: text.message };
  if (text.text.trim() === '') return { ok: true, empty: true, value: undefined };
  try {
    return { ok: true, empty: false, value: JSON.parse(text.text) as unknown };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', message: (error as Error).message };
  }
}
