/**
 * The Node-side Beacon behind the browser preview: the same AppService and
 * BeaconCore as the Electron app, with plain-Node adapters. Durable state goes
 * to files in `stateDir` (JsonFileStore + FileSecretStore, as the headless
 * runner does) or stays in memory; notifications go to a PreviewNotifier.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { AppService, type PreferencesPort, type Project, type UserPreferences } from '../main/core/app/app-service.ts';
import { BeaconCore, type BeaconCoreOptions } from '../main/core/beacon-core.ts';
import type { ConfigLayer } from '../main/core/config/config.ts';
import type { KeyValueStore, Logger, SecretStore } from '../main/core/ports.ts';
import { silentLogger, systemClock } from '../main/core/ports.ts';
import { runConnectionTest } from '../main/core/network/diagnose.ts';
import type { BeaconNetwork } from '../main/core/network/network.ts';
import { createHeadlessNetwork } from '../tools/headless/node-network.ts';
import { JsonFileStore } from '../main/core/storage/json-file-store.ts';
import { FileSecretStore } from '../main/core/storage/file-secret-store.ts';
import { MemorySecretStore, MemoryStore } from '../main/core/storage/memory-store.ts';
import { PreviewNotifier } from './notifier.ts';

/** Core tuning passed through (tests shorten the heartbeat and the coalescing window). */
export type CoreTuning = Pick<BeaconCoreOptions, 'session' | 'engine' | 'coalesceMs' | 'timeZone'>;

export interface PreviewAppOptions {
  /** The Supabase project the sign-in form starts with (the user may change it: nothing is locked). */
  readonly project?: Project | undefined;
  /** Durable state (ledger, settings, session); absent = memory, gone when the preview stops. */
  readonly stateDir?: string | undefined;
  readonly core?: CoreTuning | undefined;
  readonly logger?: Logger | undefined;
}

export interface PreviewApp {
  readonly app: AppService;
  readonly notifier: PreviewNotifier;
}

class MemoryPreferences implements PreferencesPort {
  private value: UserPreferences = { theme: 'system', launchAtLogin: false, userConfig: {} };
  get(): UserPreferences {
    return this.value;
  }
  update(patch: Partial<UserPreferences>): void {
    this.value = { ...this.value, ...patch };
  }
}

function storesFor(stateDir: string | undefined, project: Project, logger: Logger): { store: KeyValueStore; secrets: SecretStore } {
  if (!stateDir) return { store: new MemoryStore(), secrets: new MemorySecretStore() };
  // One directory per project: a ledger cursor or a session means nothing to another project.
  const dir = join(resolve(stateDir), 'projects', createHash('sha256').update(project.url).digest('hex').slice(0, 16));
  return { store: new JsonFileStore(join(dir, 'store'), { logger }), secrets: new FileSecretStore(join(dir, 'session.json'), { logger }) };
}

export async function createPreviewApp(options: PreviewAppOptions): Promise<PreviewApp> {
  const logger = options.logger ?? silentLogger;
  if (options.stateDir) await mkdir(resolve(options.stateDir), { recursive: true, mode: 0o700 });
  const notifier = new PreviewNotifier();
  const configLayers: ConfigLayer[] = options.project
    ? [{ source: 'machine', origin: 'browser preview', values: { supabaseUrl: options.project.url, supabaseAnonKey: options.project.anonKey } }]
    : [];
  let network: Promise<BeaconNetwork> | undefined;
  const app = new AppService({
    configLayers,
    preferences: new MemoryPreferences(),
    createCore: async (project) => {
      const { store, secrets } = storesFor(options.stateDir, project, logger);
      return await BeaconCore.create({
        url: project.url,
        anonKey: project.anonKey,
        store,
        secrets,
        notifier,
        // Node 24's global WebSocket (undici), as the headless runner uses.
        WebSocket: globalThis.WebSocket as unknown as WebSocketLikeConstructor,
        logger,
        ...options.core,
      });
    },
    // A browser tab cannot be hidden by the page's server, and the preview opens no external links.
    openExternal: async () => ({ ok: false, reason: 'the browser preview does not open links' }),
    notificationsSupported: true,
    // Settings → Troubleshooting over Node's network (HTTPS_PROXY/NO_PROXY, system + bundled roots).
    connectionTest: async ({ url, anonKey, accessToken }) =>
      runConnectionTest({ url, anonKey, network: await (network ??= createHeadlessNetwork({ logger })), clock: systemClock, auth: accessToken ? { kind: 'access-token', accessToken } : null }),
    logger,
  });
  return { app, notifier };
}
