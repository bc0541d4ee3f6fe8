/**
 * What Beacon's Windows installers add to electron-builder's: the MSI hook
 * (build/msi-project-created.cjs) and the NSIS include (build/installer.nsh) must write the same
 * per-machine beacon:// entries in HKLM (and the NSIS uninstaller remove them), and both must create
 * %ProgramData%\Beacon writable by administrators only (the machine settings folder).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import msiHook from '../../build/msi-project-created.cjs';
import { APP_ID, URL_SCHEME } from '../../main/core/app-id.ts';
import { loadBuilderConfig, renderMsiProject, repoRoot } from './builder-config.ts';

const run = promisify(execFile);
const { extendMsiProject, msiProjectCreated, PROTOCOL_REGISTRY, SETTINGS_DIR_SDDL } = msiHook;
const fixtureWxs = readFileSync(new URL('./fixtures/msi-project.wxs', import.meta.url), 'utf8');
const installerNsh = readFileSync(join(repoRoot, 'build/installer.nsh'), 'utf8');
const protocolKey = `Software\\Classes\\${URL_SCHEME}`;

type Node = Record<string, unknown>;
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && ['Component', 'RegistryValue', 'RemoveRegistryKey', 'File', 'Directory', 'PermissionEx'].includes(tag),
});

interface RegistryEntry {
  key: string;
  name: string;
  data: string;
}

/** The protocol component of a WiX project, as registry entries with `{exe}` for the main executable. */
function protocolEntriesOf(wxs: string): { entries: RegistryEntry[]; removed: string[] } {
  expect(XMLValidator.validate(wxs)).toBe(true);
  const product = ((xml.parse(wxs) as Node).Wix as Node).Product as Node;
  const group = product.ComponentGroup as Node;
  expect(group.Id).toBe('ProductComponents');
  const components = group.Component as Node[];
  const mainExecutable = components.filter((c) => ((c.File as Node[] | undefined) ?? []).some((f) => f.Id === 'mainExecutable'));
  expect(mainExecutable, 'the project installs Beacon.exe as mainExecutable').toHaveLength(1);
  const protocol = components.filter((c) => c.RegistryValue !== undefined);
  expect(protocol[0]?.Id).toBe('beaconUrlProtocol');
  expect(protocol, 'exactly one registry component').toHaveLength(1);
  const values = protocol[0]!.RegistryValue as Node[];
  for (const value of values) expect(value.Root, 'per-machine: HKLM').toBe('HKLM');
  expect(values.filter((v) => v.KeyPath === 'yes')).toHaveLength(1);
  return {
    entries: values.map((v) => ({ key: String(v.Key), name: String(v.Name ?? ''), data: String(v.Value).replaceAll('[#mainExecutable]', '{exe}') })),
    removed: ((protocol[0]!.RemoveRegistryKey as Node[] | undefined) ?? [])
      .filter((r) => r.Root === 'HKLM' && r.Action === 'removeOnUninstall')
      .map((r) => String(r.Key)),
  };
}

type Access = 'full' | 'read';
/** The folder ACL as SID → access, from SDDL; throws on anything but allow ACEs inherited by files and folders. */
function sddlAccess(sddl: string): { protected: boolean; access: Record<string, Access> } {
  const dacl = /^D:([A-Z]*)((?:\([^)]*\))+)$/.exec(sddl);
  expect(dacl, sddl).not.toBeNull();
  const access: Record<string, Access> = {};
  for (const [, ace] of dacl![2]!.matchAll(/\(([^)]*)\)/g)) {
    const [type, flags, rights, , , sid] = ace!.split(';');
    expect([type, flags], ace).toEqual(['A', 'OICI']);
    access[sid!] = rights === 'FA' ? 'full' : rights === '0x1200a9' ? 'read' : (`unexpected ${rights}` as Access);
  }
  return { protected: dacl![1]!.includes('P'), access };
}

/** The same from icacls /grant:r arguments (*SID:(OI)(CI)F or RX). */
function icaclsAccess(grants: string[]): Record<string, Access> {
  const alias: Record<string, string> = { 'S-1-5-18': 'SY', 'S-1-5-32-544': 'BA', 'S-1-5-32-545': 'BU' };
  return Object.fromEntries(
    grants.map((grant) => {
      const match = /^\*(S-[\d-]+):\(OI\)\(CI\)(F|RX)$/.exec(grant);
      expect(match, `grant ${grant} by SID, inherited by files and folders`).not.toBeNull();
      return [alias[match![1]!] ?? match![1]!, match![2] === 'F' ? 'full' : 'read'];
    }),
  );
}

const ADMIN_ONLY_WRITE = { SY: 'full', BA: 'full', BU: 'read' };

/** Splits an NSIS command line into its arguments ("…", '…' or bare words). */
function nsisArgs(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

function nsisMacro(name: string): string[] {
  const body = new RegExp(`^!macro ${name}\\s*$([\\s\\S]*?)^!macroend`, 'm').exec(installerNsh);
  expect(body, `macro ${name} in build/installer.nsh`).not.toBeNull();
  return body![1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(';'));
}

describe('the shared registry entries', () => {
  it('register the scheme the app and electron-builder.yml use, under HKLM Software\\Classes', () => {
    expect(msiHook.URL_SCHEME).toBe(URL_SCHEME);
    expect(loadBuilderConfig().protocols?.flatMap((p) => p.schemes)).toEqual([URL_SCHEME]);
    expect(PROTOCOL_REGISTRY).toEqual([
      { key: protocolKey, name: '', data: 'URL:Beacon' },
      { key: protocolKey, name: 'URL Protocol', data: '' },
      { key: `${protocolKey}\\DefaultIcon`, name: '', data: '"{exe}",0' },
      { key: `${protocolKey}\\shell\\open\\command`, name: '', data: '"{exe}" "%1"' },
    ]);
  });
});

describe('MSI hook (build/msi-project-created.cjs)', () => {
  it('adds the HKLM protocol entries to the project electron-builder generated', () => {
    expect(fixtureWxs).not.toContain('RegistryValue');
    const { entries, removed } = protocolEntriesOf(extendMsiProject(fixtureWxs));
    expect(entries).toEqual(PROTOCOL_REGISTRY);
    expect(removed).toEqual([protocolKey]);
  });

  it('works on the project the installed electron-builder renders for our msi options today', async () => {
    const config = loadBuilderConfig();
    expect(config.msiProjectCreated).toBe('./build/msi-project-created.cjs');
    const wxs = await renderMsiProject(config.msi!, config.productName, config.appId);
    expect(wxs).toContain(`UpgradeCode="${config.msi!.upgradeCode}"`);
    // Windows toasts find Beacon through this shortcut property (WIN-01).
    expect(wxs).toContain(`<ShortcutProperty Key="System.AppUserModel.ID" Value="${APP_ID}"/>`);
    const extended = extendMsiProject(wxs);
    expect(protocolEntriesOf(extended).entries).toEqual(PROTOCOL_REGISTRY);
    expect(extended).toContain(SETTINGS_DIR_SDDL);
  });

  it('creates %ProgramData%\\Beacon with a protected ACL: only SYSTEM and Administrators write', () => {
    const product = ((xml.parse(extendMsiProject(fixtureWxs)) as Node).Wix as Node).Product as Node;
    const targetDir = (product.Directory as Node[]).find((d) => d.Id === 'TARGETDIR')!;
    const commonAppData = (targetDir.Directory as Node[]).find((d) => d.Id === 'CommonAppDataFolder');
    expect((commonAppData?.Directory as Node[] | undefined)?.map((d) => [d.Id, d.Name])).toEqual([['beaconMachineSettings', 'Beacon']]);
    const folder = ((product.ComponentGroup as Node).Component as Node[]).find((c) => c.Directory === 'beaconMachineSettings');
    expect(folder?.Guid).toMatch(/^\{[0-9A-F-]{36}\}$/);
    const permissions = ((folder!.CreateFolder as Node).PermissionEx as Node[]).map((p) => String(p.Sddl));
    expect(permissions).toEqual([SETTINGS_DIR_SDDL]);
    expect(sddlAccess(SETTINGS_DIR_SDDL)).toEqual({ protected: true, access: ADMIN_ONLY_WRITE });
  });

  it('adds the component once even when run twice', () => {
    const once = extendMsiProject(fixtureWxs);
    expect(extendMsiProject(once)).toBe(once);
  });

  it('refuses a per-user MSI and a project without the main executable, rather than ship without deep links', () => {
    const perUser = fixtureWxs.replace('<Property Id="ALLUSERS" Secure="yes" Value="1"/>', '<Property Id="ALLUSERS" Secure="yes" Value="2"/>');
    expect(() => extendMsiProject(perUser)).toThrow(/per-machine/);
    expect(() => extendMsiProject(fixtureWxs.replace('Id="mainExecutable"', 'Id="other"'))).toThrow(/mainExecutable/);
    expect(() => extendMsiProject(fixtureWxs.replace('<ComponentGroup Id="ProductComponents"', '<ComponentGroup Id="Other"'))).toThrow(/ProductComponents/);
    expect(() => extendMsiProject(fixtureWxs.replace('InstallerVersion="500"', 'InstallerVersion="200"'))).toThrow(/Windows Installer 5/);
  });

  it('rewrites the project file electron-builder hands it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-wxs-'));
    try {
      const file = join(dir, 'project.wxs');
      await writeFile(file, fixtureWxs);
      await msiProjectCreated(file);
      expect(protocolEntriesOf(await readFile(file, 'utf8')).entries).toEqual(PROTOCOL_REGISTRY);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('NSIS include (build/installer.nsh)', () => {
  it('writes the same HKLM entries as the MSI on install', () => {
    const lines = nsisMacro('customInstall');
    expect(lines.filter((l) => /^(WriteReg|DeleteReg)/.test(l) && !l.startsWith('WriteRegStr HKLM ')), 'registry writes other than HKLM strings').toEqual([]);
    const writes = lines.filter((l) => l.startsWith('WriteRegStr')).map(nsisArgs);
    const entries = writes.map(([, , key, name, data]) => ({ key: key!, name: name!, data: data!.replaceAll('$INSTDIR\\${APP_EXECUTABLE_FILENAME}', '{exe}') }));
    expect(entries).toEqual(PROTOCOL_REGISTRY);
  });

  it('deletes, on uninstall, the key that holds everything it wrote, but not during an update', () => {
    const lines = nsisMacro('customUnInstall');
    const deletes = lines.filter((l) => l.startsWith('DeleteRegKey')).map(nsisArgs);
    expect(deletes).toEqual([['DeleteRegKey', 'HKLM', protocolKey]]);
    for (const entry of PROTOCOL_REGISTRY) expect(`${entry.key}\\`.startsWith(`${protocolKey}\\`), entry.key).toBe(true);
    expect(lines[0]).toBe('${ifNot} ${isUpdated}');
  });

  it('creates %ProgramData%\\Beacon with the same ACL as the MSI, by SID, owned by Administrators', () => {
    const icacls = nsisMacro('customInstall')
      .filter((l) => l.startsWith('nsExec::'))
      .map((l) => nsisArgs(nsisArgs(l)[1]!));
    expect(icacls.every((args) => args[0] === '$SYSDIR\\icacls.exe')).toBe(true);
    const grant = icacls.find((args) => args.includes('/grant:r'))!;
    expect(grant[1]).toBe('$0\\Beacon');
    expect(grant).toContain('/inheritance:r');
    expect(icaclsAccess(grant.slice(grant.indexOf('/grant:r') + 1).filter((a) => a.startsWith('*')))).toEqual(sddlAccess(SETTINGS_DIR_SDDL).access);
    expect(icacls.find((args) => args.includes('/setowner'))).toEqual(['$SYSDIR\\icacls.exe', '$0\\Beacon', '/setowner', '*S-1-5-32-544', '/T', '/C', '/Q']);
  });

  it.skipIf(!existsSync('/usr/bin/makensis'))('compiles with makensis (warnings are errors)', async () => {
    // electron-builder's NSIS defines APP_EXECUTABLE_FILENAME and isUpdated; stand-ins here.
    const dir = await mkdtemp(join(tmpdir(), 'beacon-nsis-'));
    try {
      await copyFile(join(repoRoot, 'build/installer.nsh'), join(dir, 'installer.nsh'));
      const script = [
        'Unicode true',
        '!include LogicLib.nsh',
        '!define APP_EXECUTABLE_FILENAME "Beacon.exe"',
        '!define isUpdated "1 = 0"',
        '!include "installer.nsh"',
        'OutFile "check.exe"',
        'RequestExecutionLevel admin',
        'Section "install"',
        '  !insertmacro customInstall',
        '  WriteUninstaller "$INSTDIR\\uninstall.exe"',
        'SectionEnd',
        'Section "Uninstall"',
        '  !insertmacro customUnInstall',
        'SectionEnd',
      ].join('\n');
      await writeFile(join(dir, 'check.nsi'), script);
      await run('/usr/bin/makensis', ['-V2', '-WX', 'check.nsi'], { cwd: dir });
      expect(existsSync(join(dir, 'check.exe'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

if (!existsSync('/usr/bin/makensis')) {
  console.warn('protocol-registration: makensis not installed (apt-get install nsis); the NSIS compile check is skipped');
}
