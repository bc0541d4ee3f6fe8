/**
 * The core's one event emitter: typed events, `on` returns its own
 * unsubscribe, and every listener is isolated (one that throws is reported and
 * the others still run, so a faulty window or tray cannot stop the sync engine).
 * Hand-written rather than Node's EventEmitter because that one stops at the
 * first listener that throws and gives the 'error' event a meaning of its own.
 */
export type Listener<Args extends readonly unknown[]> = (...args: Args) => void;

export type EventsOf<T> = { readonly [K in keyof T]: readonly unknown[] };

export class Emitter<Events extends EventsOf<Events>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never[]>>>();

  private readonly onListenerError: (event: keyof Events, error: unknown) => void;

  /** `onListenerError`: told when a listener throws (default: ignored). */
  constructor(onListenerError: (event: keyof Events, error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const stored = listener as unknown as Listener<never[]>;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as Listener<Events[K]>)(...args);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Drops every listener (the owner is closing). */
  clear(): void {
    this.listeners.clear();
  }
}
