import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parsePlist } from 'plist';
import { APP_ID, URL_SCHEME } from '../main/core/app-id.ts';
import { HARDENED_FUSES, loadBuilderConfig, repoRoot } from './packaging/builder-config.ts';

const require = createRequire(import.meta.url);

function validator() {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  // electron-builder's schema uses its own "typeof" keyword, which strict mode refuses (EB-01).
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", () => {
    const validate = validator();
    const config = loadBuilderConfig();
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('would catch a malformed config (the schema check is live)', () => {
    const validate = validator();
    expect(validate({ appId: 'x', asar: 'yes please', nsis: { perMachine: 'maybe' } })).toBe(false);
    expect(validate({ appId: 'x', nsis: { perMachin: true } })).toBe(false);
  });

  it('keeps the app id and URL scheme the running app uses', () => {
    const config = loadBuilderConfig();
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe('Beacon');
    expect(config.protocols).toEqual([{ name: 'Beacon', schemes: [URL_SCHEME] }]);
  });

  it('packs only the build output and package.json, never maps, TypeScript sources or tests', () => {
    const config = loadBuilderConfig();
    expect(config.asar).toBe(true);
    expect(config.files.filter((pattern) => !pattern.startsWith('!')), 'what is packed').toEqual(['out/**/*', 'package.json']);
    expect(config.files.filter((pattern) => pattern.startsWith('!')), 'what is left out, also from dependencies').toEqual(
      expect.arrayContaining(['!**/*.map', '!**/*.{ts,mts,cts}', '!**/*.{spec,test}.{js,cjs,mjs}']),
    );
  });

  it('flips exactly the hardened fuse set', () => {
    const expected = Object.fromEntries(Object.entries(HARDENED_FUSES).map(([name, fuse]) => [name, fuse.on]));
    expect(loadBuilderConfig().electronFuses).toEqual(expected);
  });

  it('refuses to produce unsigned release builds and keeps signing secrets out of the file', () => {
    const config = loadBuilderConfig();
    expect(config.forceCodeSigning).toBe(true);
    const win = config.win!;
    expect([win.signtoolOptions, win.azureSignOptions].filter((o) => o !== undefined), 'exactly one Windows signing method').toHaveLength(1);
    expect(win.signtoolOptions?.signingHashAlgorithms).toEqual(['sha256']);
    expect(win.signtoolOptions?.publisherName).toEqual(['Beacon']);
    const text = readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8');
    expect(text).not.toMatch(/certificatePassword|certificateFile|cscLink|cscKeyPassword|identity:/);
  });

  it('installs per machine on Windows with a fixed MSI upgrade code, and builds the MSI separately', () => {
    const config = loadBuilderConfig();
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, allowToChangeInstallationDirectory: false, runAfterFinish: false });
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false });
    expect(config.msi?.upgradeCode).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
  });

  it("pins the MSI upgrade code electron-builder derives from the app id (so the two can never disagree)", () => {
    const { UUID } = require('builder-util-runtime') as { UUID: { v5(name: string, ns: Buffer): string; parse(uuid: string): Buffer } };
    // electron-builder's namespace for MSI upgrade codes (app-builder-lib out/targets/MsiTarget.js).
    const derived = UUID.v5(APP_ID, UUID.parse('d752fe43-5d44-44d5-9fc9-6dd1bf19d5cc')).toUpperCase();
    expect(loadBuilderConfig().msi?.upgradeCode).toBe(`{${derived}}`);
  });

  it('signs and notarizes macOS builds with the hardened runtime, as a tray app without Dock icon', () => {
    const mac = loadBuilderConfig().mac!;
    expect(mac).toMatchObject({ target: ['dmg', 'zip'], hardenedRuntime: true, notarize: true });
    expect(mac.extendInfo).toMatchObject({ LSUIElement: true });
  });

  it('grants only the JIT entitlement, to the app and to its helpers', () => {
    const mac = loadBuilderConfig().mac!;
    for (const file of [mac.entitlements, mac.entitlementsInherit]) {
      expect(file).toMatch(/^build\/entitlements\.mac(\.inherit)?\.plist$/);
      const entitlements = parsePlist(readFileSync(join(repoRoot, file!), 'utf8')) as Record<string, unknown>;
      expect(entitlements, file).toEqual({ 'com.apple.security.cs.allow-jit': true });
    }
  });

  it('ships deb and rpm with a complete desktop entry', () => {
    const linux = loadBuilderConfig().linux!;
    expect(linux).toMatchObject({ target: ['deb', 'rpm'], executableName: 'beacon', category: 'Network' });
    expect(linux.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(linux.vendor).toBeTruthy();
    expect(linux.desktop?.entry?.StartupWMClass).toBe('beacon');
    // deb needs a homepage (LIN-01) and the MSI's Manufacturer comes from author.
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { homepage?: string; author?: unknown };
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author).toBeTruthy();
  });

  it('publishes to a generic https update feed', () => {
    const publish = loadBuilderConfig().publish;
    expect(publish?.provider).toBe('generic');
    expect(new URL(publish!.url).protocol).toBe('https:');
  });
});
