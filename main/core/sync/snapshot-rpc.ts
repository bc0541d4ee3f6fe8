/**
 * One call of the snapshot RPC, with a timeout on the Clock and the failure
 * sorted into what the engine does about it: refresh the token (auth), call the
 * server unreachable (network, 5xx, timeout), or just "failed" (a 4xx answer).
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Clock } from '../ports.ts';
import { isSlowDownStatus } from './backoff.ts';

export interface SnapshotCursors {
  /** Cursor for finished tasks: an ISO timestamp (e.g. the last snapshot's server time), or null for "most recent". */
  readonly finishedSince: string | null;
  /** Cursor for conversation changes, same form. */
  readonly changesSince: string | null;
}

export interface SnapshotParams {
  readonly finished_since: string | null;
  readonly changes_since: string | null;
  readonly changes_limit: number;
}

export type RpcOutcome =
  | { readonly kind: 'ok'; readonly data: unknown }
  | { readonly kind: 'auth' | 'unreachable' | 'rate-limited' | 'failed'; readonly detail: string };

/**
 * The RPC compares `updated_at`, which is the writing transaction's start time:
 * a transaction that started before the cursor but committed after the last
 * snapshot carries an older `updated_at` than the cursor. Re-reading a margin
 * before the cursor catches those; the rows read twice are deduplicated by the
 * core.
 */
export function cursorsWithMargin(cursors: SnapshotCursors, marginMs: number): { finished_since: string | null; changes_since: string | null } {
  return { finished_since: shift(cursors.finishedSince, marginMs), changes_since: shift(cursors.changesSince, marginMs) };
}

function shift(cursor: string | null, marginMs: number): string | null {
  if (cursor === null) return null;
  const at = Date.parse(cursor);
  // An unreadable cursor means "no cursor": more rows, never fewer.
  return Number.isNaN(at) ? null : new Date(at - marginMs).toISOString();
}

export async function callSnapshotRpc(
  client: SupabaseClient,
  params: SnapshotParams,
  options: { readonly clock: Clock; readonly timeoutMs: number; readonly abort?: AbortController },
): Promise<RpcOutcome> {
  const controller = options.abort ?? new AbortController();
  let timedOut = false;
  const timer = options.clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const { data, error, status } = await client.rpc('beacon_snapshot', params).abortSignal(controller.signal);
    if (!error) return { kind: 'ok', data };
    const detail = timedOut ? `no answer within ${options.timeoutMs} ms` : `${status || 'network'}: ${error.code ? `${error.code} ` : ''}${error.message}`.slice(0, 300);
    if (status === 401 || /^PGRST30[0-9]$/.test(error.code ?? '') || /jwt expired/i.test(error.message)) return { kind: 'auth', detail };
    // 429 Too Many Requests and 503 Service Unavailable: the server answered "slow down" (Retry-After is read by the fetch wrapper).
    if (isSlowDownStatus(status)) return { kind: 'rate-limited', detail };
    if (status === 0 || status >= 500 || timedOut) return { kind: 'unreachable', detail };
    return { kind: 'failed', detail };
  } catch (error) {
    return { kind: 'unreachable', detail: timedOut ? `no answer within ${options.timeoutMs} ms` : error instanceof Error ? error.message : String(error) };
  } finally {
    options.clock.clearTimeout(timer);
  }
}
