/**
 * A `window.beacon` for tests: records every call, answers with defaults (or
 * what a test sets with `respond`), and lets the test push the main process's
 * events (view messages, app state, focus requests) like main would.
 */
import type { AppState, BeaconApi, EventMap, EventName, InvokeMap, InvokeMethod, InvokeResponse } from '../../../main/core/ipc/contract.ts';
import type { TrayView, ViewMessage, ViewPatch } from '../../../main/core/ipc/contract.ts';
import { makeAppState } from './fixtures.ts';

export interface RecordedCall {
  readonly method: InvokeMethod;
  readonly request: unknown;
}

type Responder<M extends InvokeMethod> = (request: InvokeMap[M]['request']) => InvokeResponse<M> | Promise<InvokeResponse<M>>;

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class FakeBeacon {
  readonly calls: RecordedCall[] = [];
  /** What getAppState() answers (and what pushAppState() without an argument sends). */
  appState: AppState;
  /** When set, requestView() answers by pushing this view as a snapshot (like main's resync). */
  view: TrayView | null = null;
  private readonly listeners: { [E in EventName]: Set<(payload: EventMap[E]) => void> } = {
    view: new Set(),
    appState: new Set(),
    focusContact: new Set(),
  };
  private readonly responders = new Map<InvokeMethod, Responder<InvokeMethod>>();
  readonly api: BeaconApi;

  constructor(appState: AppState = makeAppState()) {
    this.appState = appState;
    const call = <M extends InvokeMethod>(method: M) =>
      (request?: InvokeMap[M]['request']): Promise<InvokeResponse<M>> => {
        this.calls.push({ method, request });
        const responder = this.responders.get(method) as Responder<M> | undefined;
        return Promise.resolve().then(() => (responder ? responder(request as InvokeMap[M]['request']) : this.defaultResponse(method)));
      };
    const subscribe = <E extends EventName>(event: E) => (listener: (payload: EventMap[E]) => void) => {
      const set = this.listeners[event] as Set<(payload: EventMap[E]) => void>;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    };
    this.api = {
      getAppState: call('getAppState'),
      requestView: call('requestView'),
      signIn: call('signIn'),
      signOut: call('signOut'),
      contactViewed: call('contactViewed'),
      setNotificationsEnabled: call('setNotificationsEnabled'),
      pauseNotifications: call('pauseNotifications'),
      updateSettings: call('updateSettings'),
      openInCrm: call('openInCrm'),
      hideWindow: call('hideWindow'),
      runConnectionTest: call('runConnectionTest'),
      setProxyCredentials: call('setProxyCredentials'),
      retrySync: call('retrySync'),
      onView: subscribe('view'),
      onAppState: subscribe('appState'),
      onFocusContact: subscribe('focusContact'),
    } as BeaconApi;
  }

  /** Answers `method` with `responder` from now on. */
  respond<M extends InvokeMethod>(method: M, responder: Responder<M>): this {
    this.responders.set(method, responder as unknown as Responder<InvokeMethod>);
    return this;
  }

  callsOf<M extends InvokeMethod>(method: M): Array<InvokeMap[M]['request']> {
    return this.calls.filter((call) => call.method === method).map((call) => call.request as InvokeMap[M]['request']);
  }

  listenerCount(event: EventName): number {
    return this.listeners[event].size;
  }

  pushView(message: ViewMessage): void {
    for (const listener of this.listeners.view) listener(message);
  }

  pushSnapshot(view: TrayView): void {
    this.pushView({ type: 'view-snapshot', view });
  }

  pushPatch(patch: ViewPatch): void {
    this.pushView({ type: 'view-patch', patch });
  }

  pushAppState(appState: AppState = this.appState): void {
    this.appState = appState;
    for (const listener of this.listeners.appState) listener(appState);
  }

  pushFocusContact(contactId: string): void {
    for (const listener of this.listeners.focusContact) listener({ contactId });
  }

  private defaultResponse<M extends InvokeMethod>(method: M): InvokeResponse<M> {
    const ok = { ok: true } as const;
    const answers: { [K in InvokeMethod]: () => InvokeResponse<K> } = {
      getAppState: () => this.appState,
      requestView: () => {
        if (this.view) this.pushSnapshot(this.view);
      },
      signIn: () => ok,
      signOut: () => undefined,
      contactViewed: () => undefined,
      setNotificationsEnabled: () => ok,
      pauseNotifications: () => ok,
      updateSettings: () => ok,
      openInCrm: () => ok,
      hideWindow: () => undefined,
      runConnectionTest: () => ({ ok: false, message: 'No connection test in this fake.' }),
      setProxyCredentials: () => ok,
      retrySync: () => undefined,
    };
    return answers[method]() as InvokeResponse<M>;
  }
}
