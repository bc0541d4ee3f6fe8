/**
 * Shared by the packaging tests: electron-builder.yml as data, and electron-builder's own MSI
 * project renderer run without WiX, Wine or Windows.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The parts of electron-builder.yml the tests look at (the schema test checks the whole file). */
export interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  forceCodeSigning?: boolean;
  electronFuses?: Record<string, boolean>;
  protocols?: { name: string; schemes: string[] }[];
  publish?: { provider: string; url: string } | null;
  mac?: Record<string, unknown> & { entitlements?: string; entitlementsInherit?: string; extendInfo?: Record<string, unknown> };
  win?: Record<string, unknown> & { signtoolOptions?: Record<string, unknown>; azureSignOptions?: Record<string, unknown>; target?: string[] };
  nsis?: Record<string, unknown>;
  msi?: Record<string, unknown> & { upgradeCode?: string };
  msiProjectCreated?: string;
  linux?: Record<string, unknown> & { desktop?: { entry?: Record<string, string> } };
}

export function loadBuilderConfig(): BuilderConfig {
  return parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8'), { uniqueKeys: true }) as BuilderConfig;
}

interface MsiTargetLike {
  options: Record<string, unknown>;
  writeManifest(appOutDir: string, arch: number, commonOptions: unknown): Promise<string>;
}

/**
 * The WiX project electron-builder's MsiTarget writes for Beacon's `msi` options, before its
 * msiProjectCreated hook runs. Uses app-builder-lib internals (out/targets/MsiTarget.js): if an
 * electron-builder upgrade moves them, this fails loudly, and the MSI hook must be re-checked.
 */
export async function renderMsiProject(msiOptions: Record<string, unknown>, productName: string, appId: string): Promise<string> {
  // Loading the package first runs its modules in their own order (a deep import alone hits a require cycle).
  require('app-builder-lib');
  const MsiTarget = (require('app-builder-lib/out/targets/MsiTarget.js') as { default: new (packager: unknown, outDir: string) => MsiTargetLike }).default;
  const { getEffectiveOptions } = require('app-builder-lib/out/options/CommonWindowsInstallerConfiguration.js') as {
    getEffectiveOptions: (options: unknown, packager: unknown) => unknown;
  };
  const appInfo = {
    id: appId,
    productName,
    productFilename: productName,
    sanitizedProductName: productName,
    sanitizedName: productName.toLowerCase(),
    companyName: productName,
    description: 'Beacon',
    getVersionInWeirdWindowsForm: () => '0.1.0.0',
  };
  const packager = {
    appInfo,
    config: { msi: msiOptions },
    platformSpecificBuildOptions: {},
    getIconPath: async () => null,
    compression: 'normal',
    fileAssociations: [],
    expandMacro: (pattern: string) => pattern,
  };
  // A stand-in win-unpacked folder: the main executable, one DLL and the app archive.
  const appOutDir = await mkdtemp(join(tmpdir(), 'beacon-msi-'));
  try {
    await mkdir(join(appOutDir, 'resources'));
    await Promise.all([
      writeFile(join(appOutDir, `${productName}.exe`), ''),
      writeFile(join(appOutDir, 'ffmpeg.dll'), ''),
      writeFile(join(appOutDir, 'resources', 'app.asar'), ''),
    ]);
    const target = new MsiTarget(packager, appOutDir);
    const x64 = 1; // builder-util Arch.x64
    return await target.writeManifest(appOutDir, x64, getEffectiveOptions(target.options, packager));
  } finally {
    await rm(appOutDir, { recursive: true, force: true });
  }
}

/**
 * The hardened fuse set of FUSE-01, by electron-builder's `electronFuses` names, with the
 * @electron/fuses wire index of each. WasmTrapHandlers (index 8) stays at Electron's default (on):
 * electron-builder's schema cannot set it.
 */
export const HARDENED_FUSES = {
  runAsNode: { index: 0, on: false },
  enableCookieEncryption: { index: 1, on: true },
  enableNodeOptionsEnvironmentVariable: { index: 2, on: false },
  enableNodeCliInspectArguments: { index: 3, on: false },
  enableEmbeddedAsarIntegrityValidation: { index: 4, on: true },
  onlyLoadAppFromAsar: { index: 5, on: true },
  loadBrowserProcessSpecificV8Snapshot: { index: 6, on: false },
  grantFileProtocolExtraPrivileges: { index: 7, on: false },
} as const;
