/**
 * The Realtime WebSocket through the same proxy as everything else: `ws` with
 * an agent whose every connection is a Tunnel (direct, or HTTP CONNECT through
 * the proxy the platform chose for that URL, TLS with Beacon's roots).
 */
import type { ClientRequest } from 'node:http';
import { Agent, type AgentConnectOpts } from 'agent-base';
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../session/instrumentation.ts';
import type { Tunnel } from './tunnel.ts';
import { classifyNetworkError, type NetworkFailure } from './failures.ts';

/** An http.Agent (for ws, node:http/https) that opens every connection through the Tunnel. */
export class TunnelAgent extends Agent {
  private readonly tunnel: Tunnel;
  private readonly onFailure: ((failure: NetworkFailure) => void) | undefined;
  constructor(tunnel: Tunnel, onFailure?: (failure: NetworkFailure) => void) {
    super({ keepAlive: false });
    this.tunnel = tunnel;
    this.onFailure = onFailure;
  }

  async connect(_request: ClientRequest, options: AgentConnectOpts) {
    const host = options.host ?? 'localhost';
    const port = options.port ?? (options.secureEndpoint ? 443 : 80);
    const servername = options.secureEndpoint ? (options.servername ?? undefined) : undefined;
    try {
      const { socket } = await this.tunnel.open({ host, port, secure: options.secureEndpoint, servername });
      return socket;
    } catch (error) {
      const failure = classifyNetworkError(error, `${host}:${port}`);
      this.onFailure?.(failure);
      throw failure;
    }
  }
}

/** A WebSocket class (constructed like the browser's) whose connections go through the Tunnel. */
export function tunnelWebSocket(tunnel: Tunnel, onFailure?: (failure: NetworkFailure) => void): WebSocketConstructor {
  const agent = new TunnelAgent(tunnel, onFailure);
  class TunnelledWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { agent });
    }
  }
  return TunnelledWebSocket;
}
