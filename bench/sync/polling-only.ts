/**
 * Baseline (c): no realtime at all. Every 5 s read the agent's tasks over REST
 * (RLS scopes them) and notify each task whose status moved to a final one
 * since the previous read.
 */
import { type SupabaseClient } from '@supabase/supabase-js';
import { countingFetch, signedInClient, type Approach, type Notified } from './approach.ts';

const FINAL = new Set(['completed', 'failed']);

export function pollingOnly(options: { url: string; anonKey: string; email: string; password: string; intervalMs?: number }): Approach {
  const counter = countingFetch();
  const notified: Notified[] = [];
  const known = new Map<string, string>();
  let client: SupabaseClient;
  let timer: NodeJS.Timeout | undefined;

  let baseline = true;
  async function poll(): Promise<void> {
    const { data, error } = await client.from('agent_tasks').select('id,status');
    if (error) return;
    for (const row of (data ?? []) as Array<{ id: string; status: string }>) {
      const before = known.get(row.id);
      // Tasks already final at the first read are history; any later final status is news.
      if (!baseline && before !== row.status && FINAL.has(row.status)) notified.push({ taskId: row.id, status: row.status, at: Date.now() });
      known.set(row.id, row.status);
    }
    baseline = false;
  }

  return {
    name: '(c) polling every 5 s',
    notified,
    async start() {
      client = await signedInClient(options, counter.fetch);
      await poll();
      timer = setInterval(() => void poll(), options.intervalMs ?? 5000);
    },
    async stop() {
      clearInterval(timer);
      client.realtime.disconnect();
    },
    stats: () => ({ channels: 0, sockets: 0, restCalls: counter.restCalls() }),
  };
}
