/**
 * Beacon's Electron shell, put together after `ready`: every adapter built and
 * wired to the one AppService, in dependency order. Nothing here decides
 * anything on its own; each piece is a module with its own tests, and this
 * file is the only place that knows how they connect.
 *
 *   logging → IT settings (policy + machine file, + BEACON_DEV_* in dev runs)
 *   → preferences → AppService (core per project: ledger/settings in
 *   userData/state, session via safeStorage, Electron notifier, https-only
 *   opener with the CRM host allowlist) → window + tray + IPC
 *   → launch at login, power events, updater → start (restore the session)
 */
import { app, net, powerMonitor, screen, shell, systemPreferences } from 'electron';
import type { BrowserWindow } from 'electron';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { join } from 'node:path';
import { serveRenderer } from './app-protocol.ts';
import { AppService, type PreferencesPort, type UserPreferences } from '../core/app/app-service.ts';
import { BeaconCore, type BeaconCoreOptions } from '../core/beacon-core.ts';
import type { ConfigLayer } from '../core/config/config.ts';
import type { Notice } from '../core/ipc/contract.ts';
import type { Logger } from '../core/ports.ts';
import { JsonFileStore } from '../core/storage/json-file-store.ts';
import { registerIpc } from '../ipc/ipc-adapter.ts';
import { applyLaunchAtLogin, startedHidden } from '../login-item/launch-at-login.ts';
import { setUpAppLogging } from '../logging/electron-log.ts';
import { ElectronNotifier } from '../notifications/electron-notifier.ts';
import { readPolicyLayers } from '../it-policy/index.ts';
import { connectPowerEvents } from '../power/power-events.ts';
import { setUpElectronNetwork, type ElectronNetwork } from '../network/electron-network.ts';
import { runConnectionTest } from '../core/network/diagnose.ts';
import { StoredProxyCredentials } from '../core/network/proxy-credentials.ts';
import { systemClock } from '../core/ports.ts';
import { hardenTrayWindow, installWebContentsGuards } from '../security/navigation.ts';
import { allowedHostsFromTemplate, openExternalSafe } from '../security/open-external.ts';
import { PreferencesStore, type PreferencesPatch } from '../storage/preferences.ts';
import { SafeStorageSecretStore } from '../storage/safe-storage-secrets.ts';
import { TrayController } from '../tray/tray-controller.ts';
import { startUpdater, type UpdaterHandle } from '../updates/updater.ts';
import { createTrayWindow, devServerOrigin } from '../windows/tray-window.ts';
import { TrayWindowController } from '../windows/window-controller.ts';
import { devOverrides } from './dev-overrides.ts';
import type { LateLogger } from './late-logger.ts';

export interface ShellPaths {
  /** out/renderer: what app://bundle/ serves. */
  readonly rendererRoot: string;
  /** out/preload/index.cjs. */
  readonly preloadPath: string;
}

export interface ComposeOptions {
  readonly logger: LateLogger;
  readonly paths: ShellPaths;
  readonly platform?: NodeJS.Platform;
  readonly argv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly isPackaged?: boolean;
  /** Default: app.getPath('userData'). */
  readonly userDataDir?: string;
  // Seams for tests; the defaults are the real adapters.
  readonly setUpLogging?: () => { readonly logger: Logger; readonly filePath: () => string };
  readonly readPolicy?: (platform: NodeJS.Platform, logger: Logger) => Promise<ConfigLayer[]>;
  readonly openPreferences?: (logger: Logger) => PreferencesLike;
  readonly WebSocket?: WebSocketLikeConstructor;
  /** Extra BeaconCore options (tests shorten timeouts). */
  readonly coreOptions?: Partial<Pick<BeaconCoreOptions, 'session' | 'engine' | 'coalesceMs' | 'clock'>>;
  readonly startUpdater?: typeof startUpdater;
  /** Default: Chromium's proxy resolution and stack (main/network/electron-network.ts). */
  readonly setUpNetwork?: typeof setUpElectronNetwork;
}

/** The part of PreferencesStore the shell uses. */
export interface PreferencesLike {
  readonly path: string;
  get(): { theme: UserPreferences['theme']; launchAtLogin: boolean; userConfig: { supabaseUrl?: string | undefined; supabaseAnonKey?: string | undefined } };
  update(patch: PreferencesPatch): unknown;
}

export interface Shell {
  readonly service: AppService;
  readonly window: BrowserWindow;
  readonly windowController: TrayWindowController;
  readonly tray: TrayController | null;
  readonly notifier: ElectronNotifier;
  /** Resolves once the core started (session restored) and any dev sign-in finished. */
  readonly started: Promise<void>;
  readonly startedHidden: boolean;
  /** A notification click or deep link: the window, on that contact (or just the window). */
  openContact(contactId: string | null): void;
  showWindow(): void;
  /** Stops everything that runs (flushing the ledger); the window may close afterwards. */
  stop(): Promise<void>;
}

export const SECRET_NOTICE_ID = 'secret-storage';
export const PROXY_NOTICE_ID = 'proxy-sign-in';
export const NETWORK_NOTICE_ID = 'network';
/** Failures IT must act on: shown as a notice until a request gets through. */
const NETWORK_NOTICE_KINDS = new Set(['certificate', 'proxy-auth', 'proxy-refused', 'proxy-unreachable']);

function preferencesPort(store: PreferencesLike): PreferencesPort {
  return {
    get: () => {
      const { theme, launchAtLogin, userConfig } = store.get();
      return { theme, launchAtLogin, userConfig: { supabaseUrl: userConfig.supabaseUrl, supabaseAnonKey: userConfig.supabaseAnonKey } };
    },
    update: (patch) => {
      const change: PreferencesPatch = {};
      if (patch.theme !== undefined) change.theme = patch.theme;
      if (patch.launchAtLogin !== undefined) change.launchAtLogin = patch.launchAtLogin;
      if (patch.userConfig) {
        change.userConfig = {
          ...(patch.userConfig.supabaseUrl !== undefined ? { supabaseUrl: patch.userConfig.supabaseUrl } : {}),
          ...(patch.userConfig.supabaseAnonKey !== undefined ? { supabaseAnonKey: patch.userConfig.supabaseAnonKey } : {}),
        };
      }
      store.update(change);
    },
  };
}

export async function composeShell(options: ComposeOptions): Promise<Shell> {
  const platform = options.platform ?? process.platform;
  const argv = options.argv ?? process.argv;
  const env = options.env ?? process.env;
  const isPackaged = options.isPackaged ?? app.isPackaged;
  const userData = options.userDataDir ?? app.getPath('userData');

  // Logging first, so everything after (and what the late logger buffered) lands in the file.
  const logging = (options.setUpLogging ?? (() => setUpAppLogging()))();
  options.logger.attach(logging.logger);
  const logger: Logger = options.logger;
  logger.info('Beacon is starting', { version: app.getVersion(), platform, packaged: isPackaged });

  serveRenderer(options.paths.rendererRoot);
  const devOrigin = devServerOrigin(isPackaged, env);

  // IT settings, then the dev-only overrides (a 'machine' layer listed first so it wins over the machine file).
  const readPolicy =
    options.readPolicy ?? ((p: NodeJS.Platform, l: Logger) => readPolicyLayers(p, { logger: l, getUserDefault: (key, type) => systemPreferences.getUserDefault(key, type) }));
  const itLayers = await readPolicy(platform, logger);
  const dev = devOverrides(isPackaged, env);
  if (dev.layer) logger.warn('using the Supabase project from BEACON_DEV_* (unpackaged run only)');
  const configLayers = [...itLayers.filter((l) => l.source === 'policy'), ...(dev.layer ? [dev.layer] : []), ...itLayers.filter((l) => l.source !== 'policy')];

  const preferences = (options.openPreferences ?? ((l: Logger) => PreferencesStore.open({ logger: l })))(logger);

  // Filled in below; the closures that read them run only after start.
  let secrets: SafeStorageSecretStore | null = null;
  let windowController: TrayWindowController | null = null;
  let service: AppService | null = null;

  const crmHosts = () => allowedHostsFromTemplate(service?.resolvedConfig().config.crmContactUrlTemplate);
  const openExternal = (url: string) => openExternalSafe(url, { allowedHosts: crmHosts(), logger });

  const openContact = (contactId: string | null): void => {
    // The window learns which contact to show before it appears, so it never flashes the old view.
    if (contactId) service?.focusContact(contactId);
    windowController?.show();
  };
  const openInCrm = (contactId: string): void => {
    void service?.invoke('openInCrm', { contactId }).then(
      (result) => {
        if (!result.ok) logger.warn('Open in CRM failed', { message: result.message });
      },
      (error: unknown) => logger.warn('Open in CRM failed', { error: String(error) }),
    );
  };

  const notifier = new ElectronNotifier({
    onOpen: openContact,
    onOpenInCrm: openInCrm,
    crmLinks: () => Boolean(service?.resolvedConfig().config.crmContactUrlTemplate),
    platform,
    logger,
  });
  if (platform === 'win32') notifier.handleActivation();

  const store = new JsonFileStore(join(userData, 'state'), { logger });
  // The network (proxy, trust) is set up from IT's settings once, before the first core needs it.
  let networking: Promise<ElectronNetwork> | null = null;
  let proxyCredentials: StoredProxyCredentials | null = null;
  const credentialSource = {
    get: (target: { host: string; port: number; realm: string; scheme: string }) => (proxyCredentials ? proxyCredentials.get(target) : Promise.resolve(null)),
  };
  let current: ElectronNetwork | null = null;
  const network = (): Promise<ElectronNetwork> =>
    (networking ??= (options.setUpNetwork ?? setUpElectronNetwork)({ config: service!.resolvedConfig().config, logger, credentials: credentialSource }).then((ready) => {
      current = ready;
      ready.network.onFailureChange(() => service?.refreshNotices());
      return ready;
    }));
  const networkNotice = (): Notice[] => {
    const failure = current?.network.lastFailure();
    return failure && NETWORK_NOTICE_KINDS.has(failure.kind) ? [{ id: NETWORK_NOTICE_ID, level: 'error', text: `${failure.message} ${failure.fix}` }] : [];
  };
  const appService = new AppService({
    configLayers,
    preferences: preferencesPort(preferences),
    createCore: async (project): Promise<BeaconCore> => {
      if (!secrets) throw new Error('the session store is not open yet');
      const { network: net } = await network();
      const WebSocketImpl = options.WebSocket ?? (net.WebSocket as unknown as WebSocketLikeConstructor);
      return BeaconCore.create({
        url: project.url,
        anonKey: project.anonKey,
        store,
        secrets,
        notifier,
        WebSocket: WebSocketImpl,
        logger,
        ...options.coreOptions,
        session: { fetch: net.fetch, networkProblem: () => net.problemMessage(), ...options.coreOptions?.session },
      });
    },
    connectionTest: async ({ url, anonKey, accessToken }) =>
      runConnectionTest({ url, anonKey, network: (await network()).network, clock: systemClock, auth: accessToken ? { kind: 'access-token', accessToken } : null }),
    applyLaunchAtLogin: (enabled) => setLaunchAtLogin(enabled),
    openExternal,
    hideWindow: () => windowController?.hide(),
    notificationsSupported: notifier.supported,
    saveProxyCredentials: async (credentials) =>
      (await proxyCredentials?.save(credentials))
        ? { ok: true }
        : { ok: false, message: 'No proxy has asked for a sign-in. Run the connection test first.' },
    shellNotices: () => [
      ...networkNotice(),
      ...(secrets?.notice ? [{ id: SECRET_NOTICE_ID, level: 'warning', text: secrets.notice } satisfies Notice] : []),
      ...(proxyCredentials?.pendingProxy()
        ? [{ id: PROXY_NOTICE_ID, level: 'warning', text: `The proxy ${proxyCredentials.pendingProxy()} asks for a sign-in: enter it in Settings → Troubleshooting.` } satisfies Notice]
        : []),
    ],
    logger,
  });
  service = appService;
  const config = appService.resolvedConfig().config;

  secrets = await SafeStorageSecretStore.open({ directory: join(userData, 'session'), allowInsecureTokenStorage: config.allowInsecureTokenStorage, platform, logger });
  proxyCredentials = new StoredProxyCredentials({ secrets, logger, onAsked: () => appService.refreshNotices() });

  async function setLaunchAtLogin(enabled: boolean): Promise<void> {
    // A dev run would register the bare Electron binary as a login item.
    if (!isPackaged) {
      logger.info('launch at login not applied: unpackaged run', { enabled });
      return;
    }
    await applyLaunchAtLogin(app, { enabled, platform }).catch((error: unknown) => logger.error('could not change launch at login', { error: String(error) }));
  }

  // Every webContents (this window and any future one) is hardened the moment it exists.
  installWebContentsGuards(app, { devServerOrigin: devOrigin, openExternal, logger });
  const window = createTrayWindow({
    isPackaged,
    env,
    preloadPath: options.paths.preloadPath,
    openExternal,
    logger,
    harden: (webContents, guards) => hardenTrayWindow(webContents, { ...guards, logger }),
  });
  let tray: TrayController | null = null;
  const controller = new TrayWindowController({ window, screen, trayBounds: () => tray?.tray.getBounds(), platform, logger });
  windowController = controller;

  const disposeIpc = registerIpc({ service: appService, window: () => window, logger, devServerOrigin: devOrigin });

  try {
    tray = new TrayController({
      service: appService,
      recent: notifier,
      notificationsSupported: notifier.supported,
      onClick: () => controller.toggle(),
      actions: {
        open: () => controller.show(),
        openContact: (contactId) => openContact(contactId),
        openInCrm,
        pause: (choice) => void appService.invoke('pauseNotifications', { choice }).catch((error: unknown) => logger.warn('pause failed', { error: String(error) })),
        setLaunchAtLogin: (enabled) =>
          void appService.invoke('updateSettings', { launchAtLogin: enabled }).catch((error: unknown) => logger.warn('launch at login failed', { error: String(error) })),
        openLogs: () => void shell.openPath(logging.filePath()).then((problem) => problem && logger.warn('could not open the log file', { problem })),
        signOut: () => void appService.invoke('signOut', undefined).catch((error: unknown) => logger.warn('sign-out failed', { error: String(error) })),
        quit: () => app.quit(),
      },
      platform,
      logger,
    });
  } catch (error) {
    // Without a tray (some Linux desktops) the window is the only way in: keep it reachable.
    logger.error('could not create the tray icon; showing the window instead', { error: String(error) });
  }

  if (platform === 'darwin') app.dock?.hide();
  const hidden = startedHidden(argv, app, platform);
  if (!hidden || !tray) window.once('ready-to-show', () => controller.show());

  if (isPackaged) void setLaunchAtLogin(config.launchAtLogin);
  const disconnectPower = connectPowerEvents({ powerMonitor, target: appService.signals, net, logger });
  const updater: UpdaterHandle = await (options.startUpdater ?? startUpdater)({ isPackaged, disabledByPolicy: config.disableAutoUpdate, logger });

  const started = (async () => {
    await appService.start();
    if (!dev.signIn) return;
    if (appService.appState().session.signedIn) return;
    const result = await appService.invoke('signIn', { email: dev.signIn.email, password: dev.signIn.password });
    if (result.ok) logger.info('signed in from BEACON_DEV_EMAIL (unpackaged run)');
    else logger.warn('dev sign-in failed', { message: result.message });
  })().catch((error: unknown) => logger.error('Beacon did not start cleanly', { error: String(error) }));

  let stopping: Promise<void> | null = null;
  return {
    service: appService,
    window,
    windowController: controller,
    tray,
    notifier,
    started,
    startedHidden: hidden,
    openContact,
    showWindow: () => controller.show(),
    stop: () =>
      (stopping ??= (async () => {
        controller.allowClose();
        disconnectPower();
        updater.stop();
        disposeIpc();
        tray?.destroy();
        // Flushes pending notifications and the ledger, then closes the connection.
        await appService.stop();
        if (networking) (await networking).dispose();
        logger.info('Beacon stopped');
      })()),
  };
}
