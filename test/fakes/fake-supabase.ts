/**
 * Just enough of supabase-js (channels, realtime socket, rpc) and of the
 * Session for engine unit tests: every server reaction is triggered by the
 * test, so the engine's decisions can be checked step by step on a FakeClock.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { EngineSession } from '../../main/core/sync/engine.ts';
import type { HeartbeatStatus, RefreshResult, SessionEvent } from '../../main/core/session/session.ts';
import { newCounters } from '../../main/core/session/instrumentation.ts';

type StatusCallback = (status: string, error?: Error) => void;

export class FakeChannel {
  readonly topic: string;
  state: 'closed' | 'joining' | 'joined' | 'errored' = 'closed';
  readonly bindings: Array<{ type: string; filter: Record<string, unknown>; callback: (payload: unknown) => void }> = [];
  private statusCallback: StatusCallback | undefined;
  private readonly client: FakeSupabase;

  constructor(topic: string, client: FakeSupabase) {
    this.topic = topic;
    this.client = client;
  }

  on(type: string, filter: Record<string, unknown>, callback: (payload: unknown) => void): this {
    this.bindings.push({ type, filter, callback });
    return this;
  }

  subscribe(callback: StatusCallback): this {
    this.client.log.push(`subscribe ${this.topic}`);
    this.statusCallback = callback;
    this.state = 'joining';
    return this;
  }

  teardown(): void {
    this.state = 'closed';
  }

  // ---- the server, driven by the test ----
  status(status: 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED', error?: Error): void {
    this.state = status === 'SUBSCRIBED' ? 'joined' : status === 'CLOSED' ? 'closed' : 'errored';
    if (status === 'CLOSED') this.client.forget(this);
    this.statusCallback?.(status, error);
  }

  system(payload: Record<string, unknown>): void {
    for (const binding of this.bindings) if (binding.type === 'system') binding.callback(payload);
  }

  postgresReady(): void {
    this.system({ extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL' });
  }

  change(payload: { table: string } & Record<string, unknown>): void {
    for (const binding of this.bindings) {
      if (binding.type === 'postgres_changes' && binding.filter.table === payload.table) binding.callback(payload);
    }
  }
}

interface RpcCall {
  readonly params: Record<string, unknown>;
  readonly signal: AbortSignal;
  resolve(answer: { data: unknown; error: { message: string; code?: string } | null; status: number }): void;
}

export class FakeSupabase {
  readonly log: string[] = [];
  readonly created: FakeChannel[] = [];
  channels: FakeChannel[] = [];
  readonly rpcCalls: RpcCall[] = [];
  socket: 'open' | 'closed' = 'open';
  /** Answer every rpc at once with this (undefined: calls stay pending until the test resolves them). */
  autoAnswer: ((params: Record<string, unknown>) => { data: unknown; error: { message: string; code?: string } | null; status: number }) | undefined;

  readonly realtime = {
    setAuth: async (): Promise<void> => {
      this.log.push('setAuth');
    },
    disconnect: async (): Promise<string> => {
      this.log.push('disconnect');
      this.socket = 'closed';
      return 'ok';
    },
    connect: (): void => {
      this.log.push('connect');
      this.socket = 'open';
    },
    connectionState: (): string => this.socket,
  };

  channel(topic: string): FakeChannel {
    const full = `realtime:${topic}`;
    const existing = this.channels.find((c) => c.topic === full);
    if (existing) return existing;
    const channel = new FakeChannel(full, this);
    this.channels.push(channel);
    this.created.push(channel);
    return channel;
  }

  getChannels(): FakeChannel[] {
    return this.channels;
  }

  async removeChannel(channel: FakeChannel): Promise<string> {
    this.log.push(`remove ${channel.topic}`);
    const wasOpen = channel.state !== 'closed';
    this.forget(channel);
    // realtime-js: leaving fires CLOSED on the channel's own callback.
    if (wasOpen) channel.status('CLOSED');
    channel.teardown();
    return 'ok';
  }

  forget(channel: FakeChannel): void {
    this.channels = this.channels.filter((c) => c !== channel);
  }

  rpc(name: string, params: Record<string, unknown>) {
    return {
      abortSignal: (signal: AbortSignal) =>
        new Promise<{ data: unknown; error: { message: string; code?: string } | null; status: number }>((resolve) => {
          this.log.push(`rpc ${name}`);
          if (this.autoAnswer) {
            resolve(this.autoAnswer(params));
            return;
          }
          const call: RpcCall = { params, signal, resolve };
          this.rpcCalls.push(call);
          signal.addEventListener('abort', () => resolve({ data: null, error: { message: 'AbortError: aborted' }, status: 0 }));
        }),
    };
  }

  asClient(): SupabaseClient {
    return this as unknown as SupabaseClient;
  }
}

export class FakeSession implements EngineSession {
  readonly client: SupabaseClient;
  readonly heartbeatIntervalMs: number;
  readonly refreshes: string[] = [];
  refreshAnswer: RefreshResult = { ok: true };
  user: string | null;
  private readonly events = new Set<(event: SessionEvent) => void>();
  private readonly heartbeats = new Set<(status: HeartbeatStatus, latencyMs: number | undefined) => void>();
  private readonly counters = newCounters();

  constructor(fake: FakeSupabase, options: { userId?: string | null; heartbeatIntervalMs?: number } = {}) {
    this.client = fake.asClient();
    this.user = options.userId === undefined ? 'a0000000-0000-4000-8000-000000000001' : options.userId;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 4_000;
  }

  userId(): string | null {
    return this.user;
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onHeartbeat(listener: (status: HeartbeatStatus, latencyMs: number | undefined) => void): () => void {
    this.heartbeats.add(listener);
    return () => this.heartbeats.delete(listener);
  }

  async refresh(): Promise<RefreshResult> {
    this.refreshes.push('refresh');
    return this.refreshAnswer;
  }

  noteProfile(): void {}

  stats() {
    return { ...this.counters };
  }

  // ---- driven by the test ----
  emit(event: SessionEvent): void {
    if (event.type === 'signed-in') this.user = event.userId;
    if (event.type === 'signed-out') this.user = null;
    for (const listener of this.events) listener(event);
  }

  heartbeat(status: HeartbeatStatus): void {
    for (const listener of this.heartbeats) listener(status, 1);
  }
}

/** A valid snapshot RPC answer. */
export function snapshotAnswer(serverTime = '2026-11-21T12:00:00.000000+00:00') {
  return {
    data: {
      server_time: serverTime,
      profile: { id: 'a0000000-0000-4000-8000-000000000001', email: 'agent.a@beacon.local', display_name: 'Avery Adams', notifications_enabled: true },
      active_tasks: [],
      finished_tasks: [],
      contacts: [],
      conversation_changes: { metadata: [], notes: [], labels: [] },
    },
    error: null,
    status: 200,
  };
}
