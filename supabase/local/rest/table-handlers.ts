/** GET/HEAD, POST, PATCH and DELETE on `/rest/v1/<table>`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { sendEmpty } from '../http/responses.ts';
import { requiresWhereClause, unsupported } from './errors.ts';
import type { Preferences, Representation } from './negotiation.ts';
import type { QueryParams } from './query-params.ts';
import { insertPayload, readPayload, updatePayload } from './request-body.ts';
import { assertSingular, contentRange, rowsAnswer, sendBody, sendRead, type RowsAnswer } from './respond.ts';
import type { TableInfo } from './schema-cache.ts';
import { deleteRows, insertRows, readTable, updateRows, type RowsResult, type Statement } from './sql.ts';
import { inRequestTransaction, type RequestIdentity, type RequestInfo } from './transaction.ts';

export interface TableRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly pool: Pool;
  readonly identity: RequestIdentity;
  readonly info: RequestInfo;
  readonly table: TableInfo;
  readonly query: QueryParams;
  readonly prefs: Preferences;
  readonly representation: Representation;
}

/** Runs a row-returning statement; rolls back when asked to, or when a singular answer is impossible. */
async function runRows(request: TableRequest, statement: Statement, readOnly: boolean, checkSingular: boolean): Promise<RowsAnswer> {
  return inRequestTransaction(request.pool, request.identity, request.info, { readOnly }, async (client) => {
    const result = await client.query<RowsResult>(statement.text, statement.values);
    const answer = rowsAnswer(result.rows[0]);
    if (checkSingular) assertSingular(request.representation, answer);
    return { value: answer, commit: !request.prefs.rollback };
  });
}

export async function readRows(request: TableRequest, head: boolean): Promise<void> {
  const { query } = request;
  if (query.columns !== undefined) throw unsupported('the columns parameter on reads');
  if (request.req.headers.range !== undefined) throw unsupported('the Range header; use limit and offset');
  const statement = readTable(request.table.name, query, request.prefs.count);
  const answer = await runRows(request, statement, true, false);
  sendRead(request.res, head, request.representation, query.offset ?? 0, answer);
}

function mutationHeaders(answer: RowsAnswer, request: TableRequest, insert: boolean): Record<string, string> {
  const total = request.prefs.count ? answer.pageCount : undefined;
  return { 'Content-Range': insert ? `*/${total ?? '*'}` : contentRange(0, answer.pageCount, total) };
}

function rejectPaging(query: QueryParams, what: string): void {
  if (query.limit !== undefined || query.offset !== undefined || query.order.length > 0) {
    throw unsupported(`limit, offset and order on ${what}`);
  }
}

export async function insert(request: TableRequest): Promise<void> {
  const { query, prefs } = request;
  rejectPaging(query, 'inserts');
  if (query.filters.length > 0) throw unsupported('filters on inserts');
  const payload = insertPayload(await readPayload(request.req), request.table, query.columns);
  const statement = insertRows(request.table.name, payload.columns, payload.rows, query, prefs.representation);
  const answer = await runRows(request, statement, false, true);
  const headers = mutationHeaders(answer, request, true);
  if (!prefs.representation) sendEmpty(request.res, 201, headers);
  else sendBody(request.res, 201, false, request.representation, answer, headers);
}

export async function update(request: TableRequest): Promise<void> {
  const { query, prefs } = request;
  rejectPaging(query, 'updates');
  if (query.columns !== undefined) throw unsupported('the columns parameter on updates');
  const payload = updatePayload(await readPayload(request.req), request.table);
  if (query.filters.length === 0) throw requiresWhereClause('UPDATE');
  if (payload.columns.length === 0) {
    // PostgREST answers an empty PATCH without touching anything.
    if (!prefs.representation) sendEmpty(request.res, 204, { 'Content-Range': '*/*' });
    else sendBody(request.res, 200, false, 'array', { pageCount: 0, total: undefined, rows: { body: '[]', first_row: null, page_count: '0', total: null } }, { 'Content-Range': '*/*' });
    return;
  }
  const statement = updateRows(request.table.name, payload.columns, payload.values, query, prefs.representation);
  const answer = await runRows(request, statement, false, true);
  const headers = mutationHeaders(answer, request, false);
  if (!prefs.representation) sendEmpty(request.res, 204, headers);
  else sendBody(request.res, 200, false, request.representation, answer, headers);
}

export async function remove(request: TableRequest): Promise<void> {
  const { query, prefs } = request;
  rejectPaging(query, 'deletes');
  if (query.columns !== undefined) throw unsupported('the columns parameter on deletes');
  if (query.filters.length === 0) throw requiresWhereClause('DELETE');
  const statement = deleteRows(request.table.name, query, prefs.representation);
  const answer = await runRows(request, statement, false, true);
  const headers = mutationHeaders(answer, request, false);
  if (!prefs.representation) sendEmpty(request.res, 204, headers);
  else sendBody(request.res, 200, false, request.representation, answer, headers);
}
