/**
 * Hooks for the Electron end-to-end tests (test/e2e/electron), which drive the
 * main process through Playwright's `electronApp.evaluate`. Installed only in
 * unpackaged runs started with BEACON_E2E=1, never in a packaged build.
 */
import type { NotificationRequest } from '../core/ports.ts';
import type { Shell } from './compose.ts';

export const TEST_HOOKS_GLOBAL = '__beaconE2E';

export interface BeaconTestHooks {
  /** Resolves once the shell is composed and started (session restored, dev sign-in done). */
  ready(): Promise<void>;
  windowVisible(): boolean;
  trayIcon(): string | null;
  signedIn(): boolean;
  /** Shows a notification through the real notifier, then clicks it (or, where the OS shows none, takes the click route directly). */
  clickNotification(request: NotificationRequest): { readonly clickedLiveNotification: boolean };
  /** Contact ids sent to the window as focusContact, oldest first. */
  focusedContacts(): readonly string[];
}

export function testHooksEnabled(isPackaged: boolean, env: NodeJS.ProcessEnv): boolean {
  return !isPackaged && env.BEACON_E2E === '1';
}

function createTestHooks(shellReady: Promise<Shell>): BeaconTestHooks {
  let shell: Shell | null = null;
  const focused: string[] = [];
  const ready = shellReady.then(async (s) => {
    shell = s;
    s.service.subscribe((event, payload) => {
      if (event === 'focusContact') focused.push((payload as { contactId: string }).contactId);
    });
    await s.started;
  });
  // A failed start is reported by startShell; callers of ready() still see the rejection.
  ready.catch(() => {});
  const need = (): Shell => {
    if (!shell) throw new Error('Beacon is not ready yet; await hooks.ready() first');
    return shell;
  };
  return {
    ready: () => ready,
    windowVisible: () => need().windowController.isVisible(),
    trayIcon: () => need().tray?.iconState().icon ?? null,
    signedIn: () => need().service.appState().session.signedIn,
    clickNotification(request) {
      const s = need();
      s.notifier.show(request);
      const live = s.notifier.liveNotification(request.tag) as unknown as { emit?: (event: string, ...args: unknown[]) => boolean } | undefined;
      if (live?.emit) {
        live.emit('click', {});
        return { clickedLiveNotification: true };
      }
      s.openContact(request.contactId);
      return { clickedLiveNotification: false };
    },
    focusedContacts: () => [...focused],
  };
}

export function installTestHooks(shellReady: Promise<Shell>, isPackaged: boolean, env: NodeJS.ProcessEnv): BeaconTestHooks | undefined {
  if (!testHooksEnabled(isPackaged, env)) return undefined;
  const hooks = createTestHooks(shellReady);
  (globalThis as Record<string, unknown>)[TEST_HOOKS_GLOBAL] = hooks;
  return hooks;
}
