/**
 * Baseline (b): the approach of Beacon's first notes (before this repository): one
 * realtime channel per contact (`agent_tasks` filtered by contact_id), a
 * notification when an UPDATE carries a final status that differs from
 * `old.status`, and a 5 s polling fallback for a contact whose channel fails.
 * Reproduced faithfully, including what it gets wrong: under RLS `old` holds
 * only the primary key, and nothing is reconciled after a reconnect.
 */
import { type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { countingFetch, signedInClient, type Approach, type Notified } from './approach.ts';

const FINAL = new Set(['completed', 'failed']);
const POLL_MS = 5000;

export function perContactChannels(options: { url: string; anonKey: string; email: string; password: string; contactIds: string[] }): Approach {
  const counter = countingFetch();
  let client: SupabaseClient;
  const notified: Notified[] = [];
  const channels = new Map<string, RealtimeChannel>();
  const pollers = new Map<string, NodeJS.Timeout>();
  const lastPolled = new Map<string, string>();

  const notify = (taskId: string, status: string) => notified.push({ taskId, status, at: Date.now() });

  function startPolling(contactId: string): void {
    if (pollers.has(contactId)) return;
    const poll = async () => {
      const { data } = await client.from('agent_tasks').select('id,status').eq('contact_id', contactId);
      for (const row of (data ?? []) as Array<{ id: string; status: string }>) {
        const before = lastPolled.get(row.id);
        if (before !== undefined && before !== row.status && FINAL.has(row.status)) notify(row.id, row.status);
        lastPolled.set(row.id, row.status);
      }
    };
    void poll();
    pollers.set(contactId, setInterval(() => void poll(), POLL_MS));
  }

  function stopPolling(contactId: string): void {
    clearInterval(pollers.get(contactId));
    pollers.delete(contactId);
  }

  return {
    name: '(b) channel per contact + 5 s polling fallback',
    notified,
    async start() {
      client = await signedInClient(options, counter.fetch);
      for (const contactId of options.contactIds) {
        const channel = client
          .channel(`tasks:${contactId}`)
          .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_tasks', filter: `contact_id=eq.${contactId}` }, (payload) => {
            const next = payload.new as { id: string; status: string };
            const previous = payload.old as { status?: string };
            if (FINAL.has(next.status) && previous.status !== next.status) notify(next.id, next.status);
          })
          .subscribe((status) => {
            if (status === 'SUBSCRIBED') stopPolling(contactId);
            else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') startPolling(contactId);
          });
        channels.set(contactId, channel);
      }
    },
    async stop() {
      for (const contactId of [...pollers.keys()]) stopPolling(contactId);
      await client.removeAllChannels();
      client.realtime.disconnect();
    },
    stats: () => ({ channels: channels.size, sockets: 1, restCalls: counter.restCalls() }),
  };
}
