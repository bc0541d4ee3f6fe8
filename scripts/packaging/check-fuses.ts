/**
 * Reads the Electron fuses of a packaged Beacon and compares them with `electronFuses` in
 * electron-builder.yml. The release workflow runs it on every real artefact; the offline packaging
 * test runs it on the stand-in build.
 *
 *   node scripts/packaging/check-fuses.ts <Beacon.app | Beacon.exe | linux-unpacked/beacon>
 *
 * Exits 0 when every configured fuse has the configured state, 1 otherwise (and prints the wire).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { parse } from 'yaml';

/** electron-builder's `electronFuses` names → @electron/fuses wire positions. */
const FUSE_INDEX: Record<string, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};

export function configuredFuses(configFile = fileURLToPath(new URL('../../electron-builder.yml', import.meta.url))): Record<string, boolean> {
  const config = parse(readFileSync(configFile, 'utf8')) as { electronFuses?: Record<string, boolean> };
  if (!config.electronFuses) throw new Error(`${configFile} sets no electronFuses`);
  return config.electronFuses;
}

/** One line per mismatch; empty when the binary matches the configuration. */
export async function fuseMismatches(appPath: string, expected = configuredFuses()): Promise<string[]> {
  const wire = (await getCurrentFuseWire(appPath)) as Record<number, FuseState | undefined>;
  const problems: string[] = [];
  for (const [name, on] of Object.entries(expected)) {
    const index = FUSE_INDEX[name];
    if (index === undefined) {
      problems.push(`${name}: not a fuse this check knows`);
      continue;
    }
    const state = wire[index];
    const want = on ? FuseState.ENABLE : FuseState.DISABLE;
    if (state !== want) problems.push(`${name}: expected ${on ? 'on' : 'off'}, found ${state === undefined ? 'missing' : FuseState[state]}`);
  }
  return problems;
}

async function main(argv: string[]): Promise<number> {
  const appPath = argv[0];
  if (!appPath) {
    console.error('usage: node scripts/packaging/check-fuses.ts <path to the packaged app or executable>');
    return 2;
  }
  const problems = await fuseMismatches(appPath);
  if (problems.length > 0) {
    console.error(`Fuses of ${appPath} differ from electron-builder.yml:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log(`Fuses of ${appPath} match electron-builder.yml: ${JSON.stringify(configuredFuses())}`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
