/**
 * `fetch` over the Tunnel, for runners without Chromium's network stack (the
 * headless runner): undici's fetch with an Agent whose connector opens each
 * connection through the Tunnel, so REST and auth take the same proxy and the
 * same roots as the WebSocket. Failures come out in plain words (NetworkFailure).
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { Tunnel } from './tunnel.ts';
import { classifyNetworkError, type NetworkFailure } from './failures.ts';

export interface TunnelFetch {
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

export function tunnelFetch(tunnel: Tunnel, onFailure?: (failure: NetworkFailure) => void): TunnelFetch {
  const dispatcher = new Agent({
    connect: (options, callback) => {
      const secure = options.protocol === 'https:';
      const port = options.port ? Number(options.port) : secure ? 443 : 80;
      tunnel.open({ host: options.hostname, port, secure, servername: options.servername ?? undefined }).then(
        ({ socket }) => callback(null, socket),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
      );
    },
  });
  const wrapped = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : null;
    const url = request ? request.url : String(input as string | URL);
    const merged: RequestInit = request
      ? { method: request.method, headers: request.headers, body: request.body, signal: request.signal, ...(request.body ? { duplex: 'half' } : {}), ...init }
      : { ...init };
    try {
      const response = await undiciFetch(url, { ...(merged as Parameters<typeof undiciFetch>[1]), dispatcher });
      return response as unknown as Response;
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const failure = classifyNetworkError(error, new URL(url).host);
      onFailure?.(failure);
      throw failure;
    }
  };
  return { fetch: wrapped as typeof fetch, close: () => dispatcher.close() };
}
