/** Writing JSON (or empty) responses with the CORS headers every Supabase answer has. */
import type { ServerResponse } from 'node:http';
import { corsHeaders } from './cors.ts';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type ResponseHeaders = Record<string, string>;

/** Sends `body` serialized with JSON.stringify. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: ResponseHeaders = {}): void {
  sendRawJson(res, status, JSON.stringify(body), headers);
}

/** Sends text that already is JSON (e.g. built by PostgreSQL), untouched. */
export function sendRawJson(res: ServerResponse, status: number, json: string, headers: ResponseHeaders = {}): void {
  const payload = Buffer.from(json, 'utf8');
  res.writeHead(status, {
    ...corsHeaders(),
    'Content-Type': JSON_CONTENT_TYPE,
    ...headers,
    'Content-Length': String(payload.length),
  });
  res.end(payload);
}

/** Sends a response without a body (204, or 201 with `return=minimal`). */
export function sendEmpty(res: ServerResponse, status: number, headers: ResponseHeaders = {}): void {
  res.writeHead(status, { ...corsHeaders(), ...headers, 'Content-Length': '0' });
  res.end();
}
