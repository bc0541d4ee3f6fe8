/**
 * CORS as Supabase's API gateway answers it: any origin, preflights answered
 * by the gateway itself (no API key needed), the request's headers echoed back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';
const EXPOSED_HEADERS = 'Content-Range, Content-Profile, Preference-Applied, X-Supabase-Api-Version';

/** Headers every response carries. */
export function corsHeaders(): Record<string, string> {
  return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
}

/** Answers a CORS preflight and returns true; returns false for any other request. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'OPTIONS') return false;
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(200, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': typeof requested === 'string' && requested !== '' ? requested : '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Max-Age': '3600',
    'Content-Length': '0',
  });
  res.end();
  return true;
}
