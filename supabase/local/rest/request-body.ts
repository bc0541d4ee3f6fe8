/** The JSON payload of a REST write, read and shaped the way PostgREST accepts it. */
import type { IncomingMessage } from 'node:http';
import { readJsonBody } from '../http/json-body.ts';
import { columnNotFound, invalidBody, PostgrestError, unsupportedContentType } from './errors.ts';
import type { TableInfo } from './schema-cache.ts';

export const REST_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function readPayload(req: IncomingMessage): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType.trim())) {
    throw unsupportedContentType(contentType);
  }
  const body = await readJsonBody(req, REST_BODY_LIMIT_BYTES);
  if (!body.ok) {
    // A body too large to read is answered like one that does not parse: 400, PostgREST's invalid-body error.
    if (body.reason === 'too_large') throw new PostgrestError(400, { code: 'PGRST102', message: 'Empty or invalid json', details: body.message, hint: null });
    if (body.reason === 'too_deep') throw new PostgrestError(400, { code: 'PGRST102', message: 'Empty or invalid json', details: body.message, hint: null });
    throw invalidBody('Empty or invalid json');
  }
  return body.value;
}

/** Checks every column exists in the table (PGRST204 otherwise). */
function checkColumns(table: TableInfo, columns: readonly string[]): void {
  for (const name of columns) if (!table.columns.has(name)) throw columnNotFound(table.name, name);
}

/** Rows of an insert and the columns they fill: the `columns` parameter, or the keys of the payload. */
export function insertPayload(payload: unknown, table: TableInfo, columnsParam: readonly string[] | undefined): { rows: JsonObject[]; columns: string[] } {
  if (payload === undefined) throw invalidBody('Empty or invalid json');
  const rows = Array.isArray(payload) ? payload : [payload];
  if (!rows.every(isObject)) throw invalidBody('All object keys must match');
  let columns: string[];
  if (columnsParam !== undefined) {
    columns = [...new Set(columnsParam)];
  } else {
    const first = rows[0] === undefined ? [] : Object.keys(rows[0]).sort();
    const same = rows.every((row) => {
      const keys = Object.keys(row).sort();
      return keys.length === first.length && keys.every((key, index) => key === first[index]);
    });
    if (!same) throw invalidBody('All object keys must match');
    columns = rows[0] === undefined ? [] : Object.keys(rows[0]);
  }
  checkColumns(table, columns);
  return { rows, columns };
}

export function updatePayload(payload: unknown, table: TableInfo): { values: JsonObject; columns: string[] } {
  if (payload === undefined) throw invalidBody('Empty or invalid json');
  if (!isObject(payload)) throw invalidBody('Empty or invalid json: PATCH expects a single JSON object');
  const columns = Object.keys(payload);
  checkColumns(table, columns);
  return { values: payload, columns };
}

export function rpcArguments(payload: unknown): JsonObject {
  if (payload === undefined) return {};
  if (!isObject(payload)) throw invalidBody('Empty or invalid json: RPC arguments must be a JSON object');
  return payload;
}
