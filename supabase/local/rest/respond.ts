/** Turning a statement's rows result into PostgREST's response: status, Content-Range, body shape. */
import type { ServerResponse } from 'node:http';
import { sendEmpty, sendRawJson } from '../http/responses.ts';
import { invalidRange, singularityError } from './errors.ts';
import { OBJECT_CONTENT_TYPE, type Representation } from './negotiation.ts';
import type { RowsResult } from './sql.ts';

export interface RowsAnswer {
  readonly pageCount: number;
  readonly total: number | undefined;
  readonly rows: RowsResult;
}

export function rowsAnswer(row: RowsResult | undefined): RowsAnswer {
  if (row === undefined) throw new Error('statement returned no result row');
  return { pageCount: Number(row.page_count), total: row.total === null ? undefined : Number(row.total), rows: row };
}

/** `lower-upper/total` as PostgREST writes it (`*` for an unknown total or an empty page). */
export function contentRange(lower: number, pageCount: number, total: number | undefined): string {
  const totalText = total === undefined ? '*' : String(total);
  return pageCount > 0 ? `${lower}-${lower + pageCount - 1}/${totalText}` : `*/${totalText}`;
}

/** Throws PGRST116 when an object was asked for and the result is not exactly one row. */
export function assertSingular(representation: Representation, answer: RowsAnswer): void {
  if (representation === 'object' && answer.pageCount !== 1) throw singularityError(answer.pageCount);
}

/** Answers a GET/HEAD read, with PostgREST's 206/416 rules when the total is known. */
export function sendRead(res: ServerResponse, head: boolean, representation: Representation, offset: number, answer: RowsAnswer): void {
  const { total, pageCount } = answer;
  if (total !== undefined && offset > total) {
    throw invalidRange(`An offset of ${offset} was requested, but there are only ${total} rows.`);
  }
  assertSingular(representation, answer);
  const status = total !== undefined && pageCount < total ? 206 : 200;
  const headers = { 'Content-Range': contentRange(offset, pageCount, total) };
  sendBody(res, status, head, representation, answer, headers);
}

export function sendBody(
  res: ServerResponse,
  status: number,
  head: boolean,
  representation: Representation,
  answer: RowsAnswer,
  headers: Record<string, string>,
): void {
  const body = representation === 'object' ? (answer.rows.first_row ?? 'null') : answer.rows.body;
  const contentType: Record<string, string> = representation === 'object' ? { 'Content-Type': OBJECT_CONTENT_TYPE } : {};
  if (head) {
    sendEmpty(res, status, { ...headers, ...contentType });
    return;
  }
  sendRawJson(res, status, body, { ...headers, ...contentType });
}
