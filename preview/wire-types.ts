/**
 * The preview bridge's wire format (types only, so the browser client can
 * import it for free). ui-contract.md describes it for the renderer's authors.
 *
 *   client → server  {type:'invoke', id, method, request}
 *                    {type:'notification-click', id}
 *   server → client  {type:'result', id, ok:true, value} | {type:'result', id, ok:false, error}
 *                    {type:'event', event, payload}
 *                    {type:'notification', id, title, body, kind, contactId, at}
 */
import type { EventMap, EventName, InvokeMethod } from '../main/core/ipc/contract.ts';

export const BRIDGE_PATH = '/__bridge';
export const CLIENT_SCRIPT_PATH = '/__bridge/client.js';
export const OVERLAY_STYLESHEET_PATH = '/__bridge/overlay.css';

export type InvokeMessage = { readonly type: 'invoke'; readonly id: number; readonly method: InvokeMethod; readonly request?: unknown };
export type NotificationClickMessage = { readonly type: 'notification-click'; readonly id: string };
export type ClientMessage = InvokeMessage | NotificationClickMessage;

export type ResultMessage =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value?: unknown }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: string };

export type EventMessage = { [E in EventName]: { readonly type: 'event'; readonly event: E; readonly payload: EventMap[E] } }[EventName];

export interface NotificationMessage {
  readonly type: 'notification';
  readonly id: string;
  readonly kind: 'task' | 'summary' | 'conversation';
  readonly title: string;
  readonly body: string;
  /** The contact a click opens; null when a click has nothing to open. */
  readonly contactId: string | null;
  /** Epoch ms. */
  readonly at: number;
}

export type ServerMessage = ResultMessage | EventMessage | NotificationMessage;
