/**
 * The preview's WebSocket bridge at /__bridge: what Electron IPC is to the app.
 * A connection is accepted only with the preview's random token and from the
 * preview's own origin (another site open in the same browser, or a DNS
 * rebinding page, has neither). Each message is checked (wire.ts), calls go to
 * AppService.invoke (which validates the request itself), AppService events and
 * the notifier's notifications are pushed to every page, and a click on a
 * notification takes the same route as an OS notification click in the app.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { AppService } from '../main/core/app/app-service.ts';
import type { Logger } from '../main/core/ports.ts';
import type { PreviewNotification, PreviewNotifier } from './notifier.ts';
import { MAX_CLIENT_MESSAGE_BYTES, parseClientMessage } from './wire.ts';
import { BRIDGE_PATH, type ClientMessage, type NotificationMessage, type ServerMessage } from './wire-types.ts';

export interface BridgeOptions {
  readonly app: AppService;
  readonly notifier: PreviewNotifier;
  readonly token: string;
  /** Host headers the preview answers to ("127.0.0.1:PORT"); the Origin must be http:// one of them. */
  readonly allowedHosts: () => readonly string[];
  readonly logger: Logger;
}

export interface Bridge {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open page connections. */
  clients(): number;
  close(): Promise<void>;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time token check (hashing first makes the lengths equal). */
function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

function refuse(socket: Duplex, status: 400 | 401 | 403 | 404, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
}

function notificationMessage(notification: PreviewNotification): NotificationMessage {
  const { request } = notification;
  return { type: 'notification', id: notification.id, kind: request.kind, title: request.title, body: request.body, contactId: notification.contactId, at: notification.at };
}

export function createBridge(options: BridgeOptions): Bridge {
  const { app, notifier, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();

  const broadcast = (message: ServerMessage) => {
    const text = JSON.stringify(message);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const unsubscribeApp = app.subscribe((event, payload) => broadcast({ type: 'event', event, payload } as ServerMessage));
  const unsubscribeNotifier = notifier.onShow((notification) => broadcast(notificationMessage(notification)));

  async function handle(ws: WebSocket, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'invoke': {
        let reply: ServerMessage;
        try {
          const value = await app.invoke(message.method, message.request);
          reply = { type: 'result', id: message.id, ok: true, value };
        } catch (error) {
          reply = { type: 'result', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
        return;
      }
      case 'notification-click': {
        const notification = notifier.find(message.id);
        if (!notification) {
          logger.warn('preview: click on an unknown notification', { id: message.id });
          return;
        }
        // A summary across several contacts has nothing to open; the app only shows its window then.
        if (notification.contactId) app.focusContact(notification.contactId);
        return;
      }
    }
  }

  function accept(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => logger.warn('preview: bridge socket error', { error: String(error) }));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'text messages only');
        return;
      }
      const parsed = parseClientMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      if (!parsed.ok) {
        logger.warn('preview: rejected a bridge message', { error: parsed.error });
        if (parsed.id !== null) ws.send(JSON.stringify({ type: 'result', id: parsed.id, ok: false, error: parsed.error } satisfies ServerMessage));
        else ws.close(1008, 'invalid message');
        return;
      }
      handle(ws, parsed.message).catch((error: unknown) => logger.error('preview: bridge call failed', { error: String(error) }));
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://preview.invalid');
      if (url.pathname !== BRIDGE_PATH) return refuse(socket, 404, 'Not Found');
      const host = req.headers.host ?? '';
      if (!options.allowedHosts().includes(host)) return refuse(socket, 403, 'Forbidden');
      if (req.headers.origin !== `http://${host}`) return refuse(socket, 403, 'Forbidden');
      if (!tokenMatches(options.token, url.searchParams.get('token'))) return refuse(socket, 401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
    },
    clients: () => sockets.size,
    close: async () => {
      unsubscribeApp();
      unsubscribeNotifier();
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
