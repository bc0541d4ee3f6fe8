/**
 * PostgREST's error answers: `{code, message, details, hint}` with the status
 * PostgREST gives each code, and PostgreSQL errors mapped the way PostgREST's
 * Error.hs maps them (42501 is 401 for the anonymous role, 403 otherwise).
 */
import type { DatabaseError } from 'pg';

export interface PostgrestErrorBody {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export class PostgrestError extends Error {
  readonly status: number;
  readonly body: PostgrestErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: PostgrestErrorBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

function error(status: number, code: string, message: string, details: string | null = null, hint: string | null = null): PostgrestError {
  return new PostgrestError(status, { code, message, details, hint });
}

/** PGRST100: a query parameter PostgREST cannot parse (or that this local stack does not implement). */
export function queryParamError(message: string, details: string): PostgrestError {
  return error(400, 'PGRST100', message, details);
}

/** A PostgREST feature the local stack deliberately does not implement: always a clear 400, never a wrong answer. */
export function unsupported(feature: string): PostgrestError {
  return error(400, 'PGRST100', `Not supported by the Beacon local stack: ${feature}`, 'Only the PostgREST features Beacon uses are implemented (see supabase/local/rest).');
}

export function invalidBody(message: string): PostgrestError {
  return error(400, 'PGRST102', message);
}

export function invalidRange(details: string): PostgrestError {
  return error(416, 'PGRST103', 'Requested range not satisfiable', details);
}

export function unacceptableSchema(schema: string): PostgrestError {
  return error(406, 'PGRST106', `Invalid schema: ${schema}`, null, 'Only the following schemas are exposed: public');
}

export function mediaTypeError(types: string): PostgrestError {
  return error(406, 'PGRST107', `None of these media types are available: ${types}`);
}

export function singularityError(rows: number): PostgrestError {
  return error(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`);
}

export function unsupportedMethod(method: string): PostgrestError {
  return error(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
}

export function invalidRpcMethod(method: string): PostgrestError {
  return error(405, 'PGRST101', `Cannot use the ${method} method on RPC`);
}

export function invalidResourcePath(): PostgrestError {
  return error(404, 'PGRST125', 'Invalid path specified in request URL');
}

export function functionNotFound(name: string, argumentNames: readonly string[]): PostgrestError {
  const sorted = [...argumentNames].sort();
  const qualified = `public.${name}`;
  const inMessage = sorted.length === 0 ? ' without parameters' : `(${sorted.join(', ')})`;
  const inDetails = sorted.length === 0 ? ' without parameters' : ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`;
  return error(
    404,
    'PGRST202',
    `Could not find the function ${qualified}${inMessage} in the schema cache`,
    `Searched for the function ${qualified}${inDetails} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
  );
}

export function columnNotFound(table: string, column: string): PostgrestError {
  return error(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`);
}

export function tableNotFound(table: string): PostgrestError {
  return error(404, 'PGRST205', `Could not find the table 'public.${table}' in the schema cache`);
}

/** Status for a PostgreSQL SQLSTATE, as PostgREST's mapSQLtoHTTP. */
function statusForSqlState(code: string, message: string, authed: boolean): number {
  const exact: Record<string, number> = {
    '23503': 409,
    '23505': 409,
    '25006': 405,
    '53400': 500,
    '57P01': 503,
    P0001: 400,
    '42883': 404,
    '42P01': 404,
    '42P17': 500,
  };
  if (code === '42501') return authed ? 403 : 401;
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
  if (code === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
  const known = exact[code];
  if (known !== undefined) return known;
  const byClass: Record<string, number> = {
    '08': 503, '09': 500, '0L': 403, '0P': 403, '25': 500, '28': 403, '2D': 500, '38': 500, '39': 500,
    '3B': 500, '40': 500, '53': 503, '54': 500, '55': 500, '57': 500, '58': 500, F0: 500, HV: 500, P0: 500, XX: 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

function isDatabaseError(value: unknown): value is DatabaseError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && 'severity' in value;
}

/** Turns whatever a query threw into PostgREST's answer. */
export function fromDatabaseError(thrown: unknown, authed: boolean): PostgrestError {
  if (thrown instanceof PostgrestError) return thrown;
  if (isDatabaseError(thrown)) {
    const code = thrown.code ?? 'XX000';
    const headers: Record<string, string> = {};
    const status = statusForSqlState(code, thrown.message, authed);
    if (status === 401) headers['WWW-Authenticate'] = 'Bearer';
    return new PostgrestError(status, { code, message: thrown.message, details: thrown.detail ?? null, hint: thrown.hint ?? null }, headers);
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (isConnectionFailure(thrown)) {
    return new PostgrestError(503, { code: 'PGRST000', message: 'Database connection error. Retrying the connection.', details: message, hint: null });
  }
  return new PostgrestError(500, { code: 'PGRSTX00', message: 'Internal error in the Beacon local stack', details: message, hint: null });
}

/** The database restarting, refusing connections, or the pool being closed. */
function isConnectionFailure(thrown: unknown): boolean {
  if (!(thrown instanceof Error)) return false;
  const code = (thrown as { code?: unknown }).code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND)/.test(code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error/i.test(thrown.message);
}

export function rootDisabled(): PostgrestError {
  return error(404, 'PGRST126', 'Root endpoint metadata is disabled');
}

export function unsupportedContentType(contentType: string): PostgrestError {
  return error(415, 'PGRST107', `None of these media types are available: ${contentType}`);
}

export function ambiguousFunction(name: string, candidates: readonly { args: readonly { name: string; type: string }[] }[]): PostgrestError {
  const list = candidates.map((fn) => `public.${name}(${fn.args.map((arg) => `${arg.name} => ${arg.type}`).join(', ')})`);
  return error(
    300,
    'PGRST203',
    `Could not choose the best candidate function between: ${list.join(', ')}`,
    null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
  );
}

/** What pg-safeupdate (loaded on Supabase) answers for an UPDATE or DELETE without filters. */
export function requiresWhereClause(command: 'UPDATE' | 'DELETE'): PostgrestError {
  return error(400, '21000', `${command} requires a WHERE clause`);
}
