/**
 * The bound on what one socket may have queued for sending. A peer that stops
 * reading (paused, stuck, on a dead link the kernel has not noticed yet) would
 * otherwise make the server hold every frame fanned out to it. Phoenix's
 * transport does not hold on either: a send that stalls ends the connection
 * (a send timeout rather than a byte count), and the client reconnects and
 * rejoins, as after any drop. Frames are at most 5 MB, so the bound is
 * well above one frame.
 */
import type { WebSocket } from 'ws';

export const MAX_SOCKET_BUFFERED_BYTES = 16 * 1024 * 1024;

/** True when queueing `frame` on `ws` would take its send buffer over the bound. */
export function wouldOverflow(ws: Pick<WebSocket, 'bufferedAmount'>, frame: string | Buffer, limit = MAX_SOCKET_BUFFERED_BYTES): boolean {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  return ws.bufferedAmount + size > limit;
}
