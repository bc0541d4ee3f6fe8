/**
 * Proxy credentials the user typed in (Settings → Troubleshooting), for the
 * proxy that asked for them and no other: a password is never sent to a proxy
 * it was not given for. Kept in the SecretStore (the OS keychain in the app).
 */
import { z } from 'zod';
import type { Logger, SecretStore } from '../ports.ts';
import type { ProxyCredentials } from './tunnel.ts';

const KEY = 'beacon.proxy-credentials';
const storedSchema = z.object({ proxy: z.string().min(1), username: z.string().min(1), password: z.string() });

export interface ProxyChallenge {
  readonly host: string;
  readonly port: number;
  readonly scheme: string;
  readonly realm: string;
}

export class StoredProxyCredentials {
  private readonly secrets: SecretStore;
  private readonly logger: Logger;
  private readonly onAsked: () => void;
  private lastAsked: string | null = null;
  private cached: z.infer<typeof storedSchema> | null | undefined;

  constructor(options: { secrets: SecretStore; logger: Logger; onAsked?: () => void }) {
    this.secrets = options.secrets;
    this.logger = options.logger;
    this.onAsked = options.onAsked ?? (() => {});
  }

  /** The credentials for this proxy, or null (and the proxy is remembered as the one to ask the user about). */
  async get(challenge: ProxyChallenge): Promise<ProxyCredentials | null> {
    const proxy = `${challenge.host}:${challenge.port}`;
    const stored = await this.load();
    if (stored && stored.proxy === proxy) return { username: stored.username, password: stored.password };
    if (this.lastAsked !== proxy) {
      this.lastAsked = proxy;
      this.logger.warn('network: the proxy asks for a sign-in', { proxy, scheme: challenge.scheme });
      this.onAsked();
    }
    return null;
  }

  /** The proxy that asked for a sign-in Beacon does not have, or null. */
  pendingProxy(): string | null {
    return this.lastAsked;
  }

  /** Stores credentials for the proxy that asked; false when none has asked. */
  async save(credentials: ProxyCredentials): Promise<boolean> {
    const proxy = this.lastAsked ?? this.cached?.proxy ?? null;
    if (!proxy) return false;
    const value = { proxy, username: credentials.username, password: credentials.password };
    await this.secrets.set(KEY, JSON.stringify(value));
    this.cached = value;
    this.lastAsked = null;
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(KEY);
    this.cached = null;
  }

  private async load(): Promise<z.infer<typeof storedSchema> | null> {
    if (this.cached !== undefined) return this.cached;
    try {
      const raw = await this.secrets.get(KEY);
      const parsed = raw ? storedSchema.safeParse(JSON.parse(raw)) : null;
      this.cached = parsed?.success ? parsed.data : null;
    } catch {
      this.cached = null;
    }
    return this.cached;
  }
}
