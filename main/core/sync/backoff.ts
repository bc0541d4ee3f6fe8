/**
 * Back-off with full jitter (every attempt waits a uniformly random time in
 * [floor, min(cap, base · 2^attempt)]), shared by socket reconnects, channel
 * recreation and polling. A fleet that lost the server at the same moment (a
 * realtime restart) spreads its retries over the whole window instead of
 * arriving in waves at 1, 2, 5 and 10 s.
 *
 * Also: which server answers mean "slow down" (Realtime's rate-limit and "too
 * many" errors, REST 429/503) and how to read a Retry-After header.
 */

export interface BackoffPolicy {
  /** The window of the first retry (attempt 0). */
  readonly baseMs: number;
  /** The window never grows beyond this. */
  readonly capMs: number;
  /** No retry comes sooner than this (keeps a random 0 from becoming a hot loop). */
  readonly floorMs: number;
}

/**
 * Socket reconnects: spread the first over 0.5–10 s (a fleet that lost the server together comes back
 * at about a tenth of its size per second), growing to 30 s (so all are back within ~30 s of the
 * server's return, however long it was gone).
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 30_000, floorMs: 500 };
/** Recreating an errored or closed channel: capped at 15 s, the join answer itself may take 5 s more. */
export const CHANNEL_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 15_000, floorMs: 1_000 };
/** Polling while the server errors, rate-limits or cannot be reached (5 s growing to 60 s). */
export const POLL_ERROR_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: 60_000, floorMs: 2_500 };

/** The window (upper bound) of attempt `attempt` (0-based). */
export function backoffWindow(policy: BackoffPolicy, attempt: number): number {
  const exp = policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 30);
  return Math.max(policy.floorMs, Math.min(policy.capMs, exp));
}

/** A full-jitter delay for attempt `attempt` (0-based), in [floorMs, window]. */
export function fullJitter(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const window = backoffWindow(policy, attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(policy.floorMs + r * (window - policy.floorMs));
}

/**
 * Realtime join replies and system messages that mean "too many / too fast":
 * `ClientJoinRateLimitReached: Too many joins per second`, `ChannelRateLimitReached: Too many channels`,
 * `Too many connected users`, `Too many messages per second`, `too_many_joins`, `tenant_events`, ….
 */
export function isRateLimitMessage(message: string | null | undefined): boolean {
  return !!message && /rate ?limit|too[ _]many|tenant_events|standby|restarting/i.test(message);
}

/** REST statuses that mean "come back later": 429 Too Many Requests and 503 Service Unavailable. */
export function isSlowDownStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Parses a Retry-After header (seconds or an HTTP date) into ms from `now`; null when absent or unreadable. Capped at 10 min. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(0, Math.round(ms)), 600_000);
}

/**
 * Remembers the last Retry-After the REST API sent (through a fetch wrapper), so
 * the engine can honour it for the next poll: the RPC result itself does not
 * carry headers.
 */
export class RetryAfterTracker {
  private untilMs: number | null = null;
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  wrap(fetchImpl: typeof fetch): typeof fetch {
    return async (input, init) => {
      const response = await fetchImpl(input, init);
      if (isSlowDownStatus(response.status)) {
        const ms = parseRetryAfter(response.headers.get('retry-after'), this.now());
        if (ms !== null) this.untilMs = this.now() + ms;
      }
      return response;
    };
  }

  /** How long the server asked us to wait from now (0 when it did not, or the time has passed). Clears it. */
  take(): number {
    const until = this.untilMs;
    this.untilMs = null;
    return until === null ? 0 : Math.max(0, until - this.now());
  }
}
