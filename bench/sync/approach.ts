/** What bench:sync measures for each way of turning task changes into notifications. */
export interface Notified {
  readonly taskId: string;
  readonly status: string;
  /** Date.now() when the notification was raised. */
  readonly at: number;
}

export interface Approach {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every notification raised, in order (a task appearing twice is a doubled notification). */
  readonly notified: Notified[];
  stats(): { channels: number; sockets: number; restCalls: number };
}

/** A fetch that counts the REST calls a supabase-js client makes (auth calls excluded). */
export function countingFetch(): { fetch: typeof fetch; restCalls: () => number } {
  let calls = 0;
  const counted: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.includes('/rest/v1/')) calls += 1;
    return fetch(input, init);
  };
  return { fetch: counted, restCalls: () => calls };
}
