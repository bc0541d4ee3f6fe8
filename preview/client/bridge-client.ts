/**
 * The browser preview's `window.beacon`: a classic script the preview server
 * injects before the renderer's module script, so the API exists before the
 * renderer runs. Every call goes over one WebSocket to the preview server,
 * which routes it to the same AppService the Electron IPC adapter uses; calls
 * made before the socket is open wait in a queue. It also shows the core's
 * notifications in a small overlay, since a browser tab has no OS toasts here.
 *
 * Never part of a packaged build: only preview/server.ts serves it.
 */
import { INVOKE_METHODS, SUBSCRIPTIONS, type BeaconApi, type EventMap, type EventName, type InvokeMethod } from '../../main/core/ipc/contract.ts';
import { BRIDGE_PATH, type ClientMessage, type NotificationMessage, type ServerMessage } from '../wire-types.ts';

type Listener = (payload: EventMap[EventName]) => void;

const token = new URLSearchParams(location.search).get('token') ?? '';
const socketUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`;
const EVENTS: readonly EventName[] = Object.values(SUBSCRIPTIONS);
const listeners = new Map<EventName, Set<Listener>>(EVENTS.map((event) => [event, new Set<Listener>()]));
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
const queue: string[] = [];
let socket: WebSocket | null = null;
let nextId = 1;
let opened = false;
let attempts = 0;
let problemTimer: ReturnType<typeof setTimeout> | undefined;

function connect(): void {
  const ws = new WebSocket(socketUrl);
  socket = ws;
  ws.addEventListener('open', () => {
    const reconnected = opened;
    opened = true;
    attempts = 0;
    clearTimeout(problemTimer);
    showProblem(null);
    for (const message of queue.splice(0)) ws.send(message);
    // Whatever was pushed while the socket was down is gone: start again from a fresh state and view.
    if (reconnected) {
      void invoke('getAppState', undefined).then((state) => emit('appState', state as EventMap['appState']), () => undefined);
      void invoke('requestView', undefined).catch(() => undefined);
    }
  });
  ws.addEventListener('message', (event) => {
    if (typeof event.data === 'string') receive(event.data);
  });
  ws.addEventListener('close', () => {
    if (socket === ws) socket = null;
    for (const call of pending.values()) call.reject(new Error('The connection to the preview server was lost.'));
    pending.clear();
    clearTimeout(problemTimer);
    problemTimer = setTimeout(
      () =>
        showProblem(
          opened
            ? 'The preview server is not reachable. Retrying…'
            : 'The preview server refused the connection. Open the exact address printed by "npm run demo -- --browser" (it includes ?token=…).',
        ),
      1_000,
    );
    attempts += 1;
    setTimeout(connect, Math.min(5_000, 250 * 2 ** Math.min(attempts, 5)));
  });
}

function send(message: ClientMessage): void {
  const text = JSON.stringify(message);
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
  else queue.push(text);
}

function invoke(method: InvokeMethod, request: unknown): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send({ type: 'invoke', id, method, ...(request === undefined ? {} : { request }) });
  });
}

function emit(event: EventName, payload: EventMap[EventName]): void {
  for (const listener of listeners.get(event) ?? []) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`window.beacon: a listener for "${event}" failed`, error);
    }
  }
}

function receive(text: string): void {
  let message: ServerMessage;
  try {
    message = JSON.parse(text) as ServerMessage;
  } catch {
    return;
  }
  switch (message.type) {
    case 'result': {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.ok) call.resolve(message.value);
      else call.reject(new Error(message.error));
      return;
    }
    case 'event':
      if (listeners.has(message.event)) emit(message.event, message.payload);
      return;
    case 'notification':
      whenBodyReady(() => showNotification(message));
      return;
  }
}

// ---- the overlay: notifications and connection problems ------------------------------------------

const MAX_SHOWN = 5;
let region: HTMLElement | null = null;
let list: HTMLOListElement | null = null;
let problem: HTMLParagraphElement | null = null;

function whenBodyReady(run: () => void): void {
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

function overlay(): { region: HTMLElement; list: HTMLOListElement } {
  if (region && list && region.isConnected) return { region, list };
  region = document.createElement('section');
  region.className = 'beacon-preview-overlay';
  region.id = 'beacon-preview-notifications';
  const heading = document.createElement('h2');
  heading.id = 'beacon-preview-notifications-heading';
  heading.textContent = 'Notifications (preview)';
  region.setAttribute('aria-labelledby', heading.id);
  list = document.createElement('ol');
  list.setAttribute('aria-live', 'polite');
  region.append(heading, list);
  document.body.append(region);
  return { region, list };
}

function showNotification(message: NotificationMessage): void {
  const { list: items } = overlay();
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = message.title;
  const body = document.createElement('p');
  body.id = `beacon-preview-notification-${message.id}`;
  body.textContent = message.body;
  button.setAttribute('aria-describedby', body.id);
  // Like an OS toast: a click opens the contact (when there is one) and dismisses it.
  button.addEventListener('click', () => {
    send({ type: 'notification-click', id: message.id });
    item.remove();
    if (items.childElementCount === 0) region?.remove();
  });
  item.append(button, body);
  items.prepend(item);
  while (items.childElementCount > MAX_SHOWN) items.lastElementChild?.remove();
}

function showProblem(text: string | null): void {
  if (text === null) {
    problem?.remove();
    problem = null;
    return;
  }
  whenBodyReady(() => {
    if (!problem) {
      problem = document.createElement('p');
      problem.className = 'beacon-preview-problem';
      problem.setAttribute('role', 'alert');
      document.body.append(problem);
    }
    problem.textContent = text;
  });
}

// ---- window.beacon -------------------------------------------------------------------------------

const api: Record<string, unknown> = {};
for (const method of INVOKE_METHODS) api[method] = (request?: unknown) => invoke(method, request);
for (const [subscription, event] of Object.entries(SUBSCRIPTIONS) as Array<[string, EventName]>) {
  api[subscription] = (listener: Listener) => {
    if (typeof listener !== 'function') throw new TypeError(`window.beacon.${subscription} needs a function`);
    const set = listeners.get(event)!;
    set.add(listener);
    return () => set.delete(listener);
  };
}
Object.defineProperty(window, 'beacon', { value: Object.freeze(api) as BeaconApi, enumerable: true, writable: false, configurable: false });

connect();
