/** Approach (a): Beacon's core, as the app runs it, with a notifier that records. */
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { BeaconCore } from '../../main/core/beacon-core.ts';
import { MemorySecretStore, MemoryStore } from '../../main/core/storage/memory-store.ts';
import type { NotificationRequest } from '../../main/core/ports.ts';
import type { Approach, Notified } from './approach.ts';

export function beaconCore(options: { url: string; anonKey: string; email: string; password: string }): Approach & { core(): BeaconCore } {
  const notified: Notified[] = [];
  let core: BeaconCore;
  const record = (request: NotificationRequest) => {
    const at = Date.now();
    if (request.kind === 'task') notified.push({ taskId: request.taskId, status: request.status, at });
    else if (request.kind === 'summary') for (const t of request.tasks) notified.push({ taskId: t.taskId, status: t.status, at });
  };
  return {
    name: '(a) Beacon',
    notified,
    core: () => core,
    async start() {
      core = await BeaconCore.create({
        url: options.url,
        anonKey: options.anonKey,
        store: new MemoryStore(),
        secrets: new MemorySecretStore(),
        notifier: { show: record },
        WebSocket: globalThis.WebSocket as unknown as WebSocketLikeConstructor,
      });
      await core.start();
      const result = await core.signIn(options.email, options.password);
      if (!result.ok) throw new Error(result.message);
    },
    stop: () => core.stop(),
    stats: () => {
      const s = core.engine.stats();
      return { channels: s.channels, sockets: s.sockets, restCalls: s.restCalls };
    },
  };
}
