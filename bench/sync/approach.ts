import { createClient, type SupabaseClient } from '@supabase/supabase-js';

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

/** A plain supabase-js client signed in as the benchmark's agent, its REST calls counted. */
export async function signedInClient(
  options: { url: string; anonKey: string; email: string; password: string },
  fetch: typeof globalThis.fetch,
): Promise<SupabaseClient> {
  const client = createClient(options.url, options.anonKey, { auth: { persistSession: false, autoRefreshToken: true }, global: { fetch } });
  const { error } = await client.auth.signInWithPassword({ email: options.email, password: options.password });
  if (error) throw error;
  return client;
}
