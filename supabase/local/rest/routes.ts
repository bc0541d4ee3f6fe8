/**
 * `/rest/v1`: PostgREST's behaviour for what supabase-js sends — table reads and
 * writes, and RPC — each request in its own transaction as the JWT's role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StackContext } from '../context.ts';
import { resolveRequestRole } from '../auth/request-role.ts';
import { answerPreflight } from '../http/cors.ts';
import { sendJson } from '../http/responses.ts';
import { headerValue, requestTarget } from '../http/request-url.ts';
import {
  fromDatabaseError,
  invalidResourcePath,
  invalidRpcMethod,
  PostgrestError,
  rootDisabled,
  tableNotFound,
  unacceptableSchema,
  unsupported,
  unsupportedMethod,
} from './errors.ts';
import { negotiateRepresentation, parsePrefer } from './negotiation.ts';
import { parseQueryParams } from './query-params.ts';
import { callRpc } from './rpc-handler.ts';
import { SchemaCache } from './schema-cache.ts';
import { insert, readRows, remove, update, type TableRequest } from './table-handlers.ts';
import type { RequestIdentity, RequestInfo } from './transaction.ts';

export type RestHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

function pathSegments(path: string): string[] {
  try {
    return path.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  } catch {
    throw invalidResourcePath();
  }
}

function checkProfile(req: IncomingMessage): void {
  const readOnly = req.method === 'GET' || req.method === 'HEAD';
  const profile = headerValue(req.headers[readOnly ? 'accept-profile' : 'content-profile']);
  if (profile !== undefined && profile !== 'public') throw unacceptableSchema(profile);
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function createRestHandler(ctx: StackContext): RestHandler {
  const cache = new SchemaCache(ctx.db.pool);

  async function route(req: IncomingMessage, res: ServerResponse, path: string, identity: RequestIdentity): Promise<void> {
    const method = req.method ?? 'GET';
    const target = requestTarget(req, path);
    const segments = pathSegments(target.path);
    if (segments.length === 0) throw rootDisabled();
    if (segments.length > 2 || (segments.length === 2 && segments[0] !== 'rpc')) throw invalidResourcePath();
    checkProfile(req);
    const info: RequestInfo = { method, path: `/${segments.join('/')}`, headers: flatHeaders(req) };
    const query = parseQueryParams(target.query);
    const prefs = parsePrefer(headerValue(req.headers.prefer));
    const representation = negotiateRepresentation(headerValue(req.headers.accept));

    if (segments[0] === 'rpc' && segments.length === 2) {
      if (method === 'GET' || method === 'HEAD') throw unsupported(`${method} /rpc (call functions with POST)`);
      if (method !== 'POST') throw invalidRpcMethod(method);
      await callRpc({ req, res, pool: ctx.db.pool, cache, identity, info, name: segments[1] as string, query, prefs, representation });
      return;
    }

    const name = segments[0] as string;
    const table = await cache.table(name);
    if (table === undefined) throw tableNotFound(name);
    const request: TableRequest = { req, res, pool: ctx.db.pool, identity, info, table, query, prefs, representation };
    switch (method) {
      case 'GET':
        return readRows(request, false);
      case 'HEAD':
        return readRows(request, true);
      case 'POST':
        return insert(request);
      case 'PATCH':
        return update(request);
      case 'DELETE':
        return remove(request);
      case 'PUT':
        throw unsupported('PUT (single-row upsert)');
      default:
        throw unsupportedMethod(method);
    }
  }

  return async (req, res, path) => {
    if (answerPreflight(req, res)) return;
    const resolved = await resolveRequestRole(ctx, req.headers);
    if ('error' in resolved) {
      req.resume();
      sendJson(res, resolved.error.status, resolved.error.body, resolved.error.headers);
      return;
    }
    try {
      await route(req, res, path, resolved);
    } catch (thrown) {
      const error = thrown instanceof PostgrestError ? thrown : fromDatabaseError(thrown, resolved.role !== 'anon');
      if (error.status >= 500) ctx.log('error', 'REST request failed', { path, code: error.body.code, details: error.body.details });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      req.resume();
      sendJson(res, error.status, error.body, error.headers);
    }
  };
}
