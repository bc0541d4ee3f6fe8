/** POST `/rest/v1/rpc/<function>`: named JSON arguments, PostgREST's overload rules and answer shapes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { sendEmpty, sendRawJson } from '../http/responses.ts';
import { ambiguousFunction, functionNotFound, unsupported } from './errors.ts';
import type { Preferences, Representation } from './negotiation.ts';
import type { QueryParams } from './query-params.ts';
import { readPayload, rpcArguments } from './request-body.ts';
import { assertSingular, contentRange, rowsAnswer, sendBody, type RowsAnswer } from './respond.ts';
import type { FunctionInfo, SchemaCache } from './schema-cache.ts';
import { callFunction, type RowsResult } from './sql.ts';
import { inRequestTransaction, type RequestIdentity, type RequestInfo } from './transaction.ts';

type RpcOutcome =
  | { readonly kind: 'value'; readonly body: string }
  | { readonly kind: 'rows'; readonly answer: RowsAnswer; readonly representation: Representation };

export interface RpcRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly pool: Pool;
  readonly cache: SchemaCache;
  readonly identity: RequestIdentity;
  readonly info: RequestInfo;
  readonly name: string;
  readonly query: QueryParams;
  readonly prefs: Preferences;
  readonly representation: Representation;
}

/** The overload whose named inputs are exactly the given keys, apart from inputs that have defaults. */
function chooseFunction(name: string, candidates: readonly FunctionInfo[], keys: readonly string[]): FunctionInfo {
  const given = new Set(keys);
  const matching = candidates.filter((fn) => {
    const names = new Set(fn.args.map((arg) => arg.name));
    return keys.every((key) => names.has(key)) && fn.args.every((arg) => arg.hasDefault || given.has(arg.name));
  });
  if (matching.length === 0) throw functionNotFound(name, keys);
  if (matching.length > 1) throw ambiguousFunction(name, matching);
  return matching[0] as FunctionInfo;
}

function isDefaultSelect(query: QueryParams): boolean {
  return query.select.length === 1 && query.select[0]?.kind === 'star';
}

export async function callRpc(request: RpcRequest): Promise<void> {
  const { query, prefs } = request;
  if (query.columns !== undefined) throw unsupported('the columns parameter on RPC');
  const args = rpcArguments(await readPayload(request.req));
  const fn = chooseFunction(request.name, await request.cache.functions(request.name), Object.keys(args));
  const rowShaped = fn.returns === 'composite';
  if (!rowShaped && (query.filters.length > 0 || query.order.length > 0 || query.limit !== undefined || query.offset !== undefined || !isDefaultSelect(query))) {
    throw unsupported(`select, filters, order, limit or offset on a function that does not return rows (public.${fn.name})`);
  }
  const statement = callFunction(fn, args, query, prefs.count);
  const outcome = await inRequestTransaction<RpcOutcome>(request.pool, request.identity, request.info, { readOnly: false }, async (client) => {
    const result = await client.query<RowsResult>(statement.text, statement.values);
    if (statement.shape !== 'rows') return { value: { kind: 'value', body: result.rows[0]?.body ?? 'null' }, commit: !prefs.rollback };
    const answer = rowsAnswer(result.rows[0]);
    // A function returning one composite answers an object, like PostgREST.
    const representation: Representation = fn.returnsSet ? request.representation : 'object';
    if (fn.returnsSet) assertSingular(representation, answer);
    return { value: { kind: 'rows', answer, representation }, commit: !prefs.rollback };
  });
  if (statement.shape === 'void') {
    sendEmpty(request.res, 204);
  } else if (outcome.kind === 'value') {
    sendRawJson(request.res, 200, outcome.body);
  } else {
    const range = contentRange(query.offset ?? 0, outcome.answer.pageCount, outcome.answer.total);
    sendBody(request.res, 200, false, outcome.representation, outcome.answer, { 'Content-Range': range });
  }
}
