/**
 * Start Beacon when the user logs in, straight into the tray (no window).
 * macOS and Windows use Electron's login item settings; Linux has none, so an
 * XDG autostart entry is written to ~/.config/autostart. IT policy
 * LaunchAtLogin, when set, is locked and wins over the user's choice.
 */
import { unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../core/storage/atomic-file.ts';

/** Passed by the login item so Beacon starts without showing its window. */
export const HIDDEN_ARG = '--hidden';
export const DESKTOP_FILE_NAME = 'beacon.desktop';

/** The part of Electron's `app` used here. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; path?: string; args?: string[] }): void;
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAsHidden?: boolean };
}

export interface LaunchAtLoginOptions {
  readonly enabled: boolean;
  readonly platform: NodeJS.Platform;
  /** The program the login item starts; default the AppImage if running from one, else the executable. */
  readonly execPath?: string;
  /** Linux only: the XDG autostart folder; default `$XDG_CONFIG_HOME/autostart` or `~/.config/autostart`. */
  readonly autostartDir?: string;
  readonly appName?: string;
}

/** Policy (locked) wins; otherwise the user's preference. */
export function effectiveLaunchAtLogin(input: { readonly policy?: boolean; readonly user: boolean }): boolean {
  return input.policy ?? input.user;
}

export async function applyLaunchAtLogin(app: LoginItemApp, options: LaunchAtLoginOptions): Promise<void> {
  const { enabled } = options;
  switch (options.platform) {
    case 'darwin':
      // openAsHidden is honoured by macOS before 13; later versions start the app normally and
      // Beacon, a tray app, simply opens no window unless asked.
      app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: enabled });
      return;
    case 'win32':
      // Windows matches the registry entry by path and args, so the same ones are passed to remove it.
      app.setLoginItemSettings({ openAtLogin: enabled, path: options.execPath ?? defaultExecPath(), args: [HIDDEN_ARG] });
      return;
    default: {
      const file = join(options.autostartDir ?? defaultAutostartDir(), DESKTOP_FILE_NAME);
      if (enabled) {
        await writeFileAtomic(file, autostartDesktopEntry({ execPath: options.execPath ?? defaultExecPath(), appName: options.appName ?? 'Beacon' }));
      } else {
        await unlink(file).catch((error: unknown) => {
          if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
        });
      }
    }
  }
}

/** True when the OS started Beacon at login: the `--hidden` argument, or macOS's hidden login item. */
export function startedHidden(argv: readonly string[], app: Pick<LoginItemApp, 'getLoginItemSettings'>, platform: NodeJS.Platform = process.platform): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAsHidden === true;
}

/** The XDG autostart entry (Desktop Entry Specification 1.5). */
export function autostartDesktopEntry(input: { readonly execPath: string; readonly appName: string }): string {
  if (/[\r\n]/.test(input.execPath) || /[\r\n]/.test(input.appName)) throw new TypeError('autostart entry values must be single lines');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.5',
    `Name=${input.appName}`,
    `Comment=Starts ${input.appName} in the tray when you log in`,
    `Exec=${desktopExecArgument(input.execPath)} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Quotes one Exec argument: reserved characters need double quotes with `"`, `` ` ``, `$`
 * and `\` escaped; then the string-value rule doubles every backslash, and `%` (field codes)
 * is written `%%`.
 */
export function desktopExecArgument(argument: string): string {
  if (/^[A-Za-z0-9_\-./+,:=@]+$/.test(argument)) return argument;
  const quoted = `"${argument.replace(/["`$\\]/g, '\\$&')}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}

function defaultExecPath(): string {
  // An AppImage runs from a new mount point each time; APPIMAGE is the file itself.
  return process.env.APPIMAGE ?? process.execPath;
}

function defaultAutostartDir(): string {
  const configHome = process.env.XDG_CONFIG_HOME;
  return join(configHome && isAbsolute(configHome) ? configHome : join(homedir(), '.config'), 'autostart');
}
