/**
 * Counting wrappers around what the supabase-js client uses to reach the
 * server — `fetch` and the WebSocket constructor — so the engine can report
 * REST calls and sockets (benchmarks, "no REST while live"), plus the one
 * observation supabase-js keeps to itself: a refresh the server refused.
 */
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';

export interface NetworkCounters {
  /** Requests to /rest/v1 (the snapshot RPC, profile updates). */
  rest: number;
  /** Requests to /auth/v1 (sign-in, refresh, logout). */
  auth: number;
  /** Any other request. */
  other: number;
  /** WebSockets created, and how many of them are not closed yet. */
  socketsOpened: number;
  socketsOpen: number;
}

export function newCounters(): NetworkCounters {
  return { rest: 0, auth: 0, other: 0, socketsOpened: 0, socketsOpen: 0 };
}

/** What the server said when it refused a refresh token (400/401/403 on grant_type=refresh_token). */
export interface RefreshRefusal {
  readonly status: number;
  readonly code: string | null;
  readonly message: string | null;
}

export function countingFetch(base: typeof fetch, counters: NetworkCounters, onRefreshRefused: (refusal: RefreshRefusal) => void): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.pathname.includes('/rest/v1/')) counters.rest += 1;
    else if (url.pathname.includes('/auth/v1/')) counters.auth += 1;
    else counters.other += 1;
    const response = await base(input, init);
    const isRefresh = url.pathname.endsWith('/auth/v1/token') && url.searchParams.get('grant_type') === 'refresh_token';
    // 4xx means the refresh token itself was refused (revoked, already used, session gone);
    // 429 and 5xx are transient and supabase-js retries them.
    if (isRefresh && response.status >= 400 && response.status < 500 && response.status !== 429) {
      onRefreshRefused(await readRefusal(response));
    }
    return response;
  };
}

async function readRefusal(response: Response): Promise<RefreshRefusal> {
  try {
    const body = (await response.clone().json()) as Record<string, unknown>;
    const code = [body.error_code, body.code, body.error].find((v): v is string => typeof v === 'string') ?? null;
    const message = [body.msg, body.message, body.error_description].find((v): v is string => typeof v === 'string') ?? null;
    return { status: response.status, code, message };
  } catch {
    return { status: response.status, code: null, message: null };
  }
}

/** A WebSocket class: Node's global `WebSocket`, `ws`, or anything constructed the same way. */
export type WebSocketConstructor = new (url: string | URL, protocols?: string | string[]) => object;

type SocketConstructor = new (address: string | URL, protocols?: string | string[]) => {
  addEventListener?: (type: 'close', listener: () => void) => void;
};

/** The same WebSocket class, counting instances and how many are still open. */
export function countingWebSocket(Base: WebSocketConstructor, counters: NetworkCounters): WebSocketLikeConstructor {
  const Parent = Base as unknown as SocketConstructor;
  class CountedWebSocket extends Parent {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      counters.socketsOpened += 1;
      counters.socketsOpen += 1;
      let closed = false;
      this.addEventListener?.('close', () => {
        if (closed) return;
        closed = true;
        counters.socketsOpen -= 1;
      });
    }
  }
  return CountedWebSocket as unknown as WebSocketLikeConstructor;
}
