/**
 * electron-builder `msiProjectCreated` hook (electron-builder.yml): adds to the MSI what
 * build/installer.nsh adds to the NSIS installer.
 * 1. beacon:// deep links for every user of the machine. electron-builder's MSI template has no
 *    protocol support, and Electron's app.setAsDefaultProtocolClient writes only the current
 *    user's HKCU, which a per-machine install run by IT never reaches.
 * 2. %ProgramData%\Beacon, the folder of the machine-wide settings file (main/policy/machine.ts),
 *    writable by SYSTEM and Administrators only: Beacon cannot check ACLs on Windows.
 *
 * Both are components of the MSI, so Windows Installer removes them on uninstall (the folder only
 * when empty) and repairs them like any file. CommonJS because electron-builder loads hooks with
 * require(). Tested by test/packaging/protocol-registration.test.ts.
 */

/** Must equal URL_SCHEME in main/core/app-id.ts (a test checks). */
const URL_SCHEME = 'beacon';
const PROTOCOL_KEY = `Software\\Classes\\${URL_SCHEME}`;
const COMPONENT_ID = 'beaconUrlProtocol';
const SETTINGS_DIR_ID = 'beaconMachineSettings';
/** A folder keypath cannot get an automatic GUID; this one is fixed for good. */
const SETTINGS_COMPONENT_GUID = '{5E0C7B0A-2F4D-4C8E-9A61-3B7D2E9F4C15}';
/**
 * Protected (no inherited entries): SYSTEM and Administrators full control, Users read and execute,
 * for the folder and everything created in it. SDDL uses SIDs, so it works in every Windows language.
 */
const SETTINGS_DIR_SDDL = 'D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)';

/**
 * What both installers write under HKLM; `{exe}` stands for the installed Beacon.exe.
 * An empty `name` is the key's default value.
 * @type {ReadonlyArray<{ key: string, name: string, data: string }>}
 */
const PROTOCOL_REGISTRY = [
  { key: PROTOCOL_KEY, name: '', data: 'URL:Beacon' },
  { key: PROTOCOL_KEY, name: 'URL Protocol', data: '' },
  { key: `${PROTOCOL_KEY}\\DefaultIcon`, name: '', data: '"{exe}",0' },
  { key: `${PROTOCOL_KEY}\\shell\\open\\command`, name: '', data: '"{exe}" "%1"' },
];

/** @param {string} text */
function escapeXml(text) {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The WiX component; `[#mainExecutable]` is the installed path of the file with that Id. */
function protocolComponent() {
  const values = PROTOCOL_REGISTRY.map((entry, index) => {
    const name = entry.name === '' ? '' : ` Name="${escapeXml(entry.name)}"`;
    const value = escapeXml(entry.data.replaceAll('{exe}', '[#mainExecutable]'));
    const keyPath = index === 0 ? ' KeyPath="yes"' : '';
    return `        <RegistryValue Root="HKLM" Key="${escapeXml(entry.key)}"${name} Type="string" Value="${value}"${keyPath}/>`;
  });
  return [
    `      <Component Id="${COMPONENT_ID}">`,
    ...values,
    `        <RemoveRegistryKey Root="HKLM" Key="${escapeXml(PROTOCOL_KEY)}" Action="removeOnUninstall"/>`,
    '      </Component>',
  ].join('\n');
}

/** The machine-settings folder, created with its access list (MsiLockPermissionsEx, Windows Installer 5). */
function settingsFolderComponent() {
  return [
    `      <Component Id="${SETTINGS_DIR_ID}Folder" Directory="${SETTINGS_DIR_ID}" Guid="${SETTINGS_COMPONENT_GUID}">`,
    '        <CreateFolder>',
    `          <PermissionEx Sddl="${SETTINGS_DIR_SDDL}"/>`,
    '        </CreateFolder>',
    '      </Component>',
  ].join('\n');
}

/**
 * Returns the WiX project with Beacon's components added to the product's components.
 * Throws when the project is not the per-machine shape this hook was written against, so a
 * changed electron-builder template fails the release build instead of silently dropping deep links.
 * @param {string} wxs
 * @returns {string}
 */
function extendMsiProject(wxs) {
  if (wxs.includes(`Id="${COMPONENT_ID}"`)) return wxs;
  if (!/<Property Id="ALLUSERS"[^>]*Value="1"/.test(wxs)) {
    throw new Error('msi-project-created: the MSI is not per-machine (ALLUSERS=1); HKLM deep-link registration needs msi.perMachine: true');
  }
  if (!wxs.includes('Id="mainExecutable"')) {
    throw new Error('msi-project-created: no File with Id="mainExecutable" in the WiX project; electron-builder\'s MSI template changed');
  }
  const group = /<ComponentGroup Id="ProductComponents"[^>]*>[\s\S]*?(\n?\s*)<\/ComponentGroup>/.exec(wxs);
  if (group === null) {
    throw new Error('msi-project-created: no <ComponentGroup Id="ProductComponents"> in the WiX project; electron-builder\'s MSI template changed');
  }
  if (!/<Package [^>]*InstallerVersion="(5\d\d|[6-9]\d\d)"/.test(wxs)) {
    throw new Error('msi-project-created: the folder permissions need Windows Installer 5 (Package InstallerVersion="500")');
  }
  const targetDir = '<Directory Id="TARGETDIR" Name="SourceDir">';
  if (!wxs.includes(targetDir)) {
    throw new Error('msi-project-created: no TARGETDIR directory in the WiX project; electron-builder\'s MSI template changed');
  }
  const closeAt = group.index + group[0].lastIndexOf('</ComponentGroup>') - (group[1] ?? '').length;
  const withComponents = `${wxs.slice(0, closeAt)}\n${protocolComponent()}\n${settingsFolderComponent()}${wxs.slice(closeAt)}`;
  const settingsDir = `\n      <Directory Id="CommonAppDataFolder">\n        <Directory Id="${SETTINGS_DIR_ID}" Name="Beacon"/>\n      </Directory>`;
  return withComponents.replace(targetDir, `${targetDir}${settingsDir}`);
}

/**
 * The hook: electron-builder passes the path of the generated project.wxs before WiX compiles it.
 * @param {string} projectFile
 */
async function msiProjectCreated(projectFile) {
  const { readFile, writeFile } = await import('node:fs/promises');
  const wxs = await readFile(projectFile, 'utf8');
  await writeFile(projectFile, extendMsiProject(wxs), 'utf8');
}

module.exports = { msiProjectCreated, extendMsiProject, PROTOCOL_REGISTRY, URL_SCHEME, SETTINGS_DIR_SDDL };
