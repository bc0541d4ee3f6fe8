/**
 * Beacon's identity on the operating system. Never change either value after a release:
 * - APP_ID is the Windows AppUserModelID (toasts and taskbar grouping find the app by it, through
 *   the Start-menu shortcut), the macOS bundle id (managed preferences live under it) and the seed
 *   of the installers' upgrade identity (NSIS guid, MSI upgradeCode).
 * - URL_SCHEME is what beacon:// deep links, the installers' registry entries and the Linux
 *   .desktop MimeType register.
 * electron-builder.yml repeats both; test/packaging checks they agree.
 */
export const APP_ID = 'com.beacon.desktop';
export const URL_SCHEME = 'beacon';
