/**
 * Windows Group Policy for Beacon (POL-01..POL-03): values under
 * HKLM\Software\Policies\Beacon, then HKCU\Software\Policies\Beacon, read with
 * reg.exe (no native module). Both keys are writable only by administrators and
 * Group Policy. HKLM comes first, so for each setting a valid HKLM value wins.
 */
import { execFile } from 'node:child_process';
import { win32 } from 'node:path';
import { fromPolicyNames, type ConfigLayer } from '../core/config/config.ts';
import { previewForLog } from '../core/security/url-text.ts';
import type { Logger } from '../core/ports.ts';

export const POLICY_KEYS = ['HKLM\\Software\\Policies\\Beacon', 'HKCU\\Software\\Policies\\Beacon'] as const;

export interface RegQueryOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit code, or null when reg.exe could not be run or was killed. */
  readonly exitCode: number | null;
  /** Why reg.exe did not run to completion (not found, timed out). */
  readonly failure?: string;
}

/** Runs reg.exe with the given arguments; never rejects. */
export type RegQueryRunner = (args: readonly string[]) => Promise<RegQueryOutput>;

const REG_TIMEOUT_MS = 5_000;

/** reg.exe from System32 by absolute path, so a reg.exe earlier on PATH is never run. */
export function regExePath(env: NodeJS.ProcessEnv = process.env): string {
  return win32.join(env.SystemRoot ?? env.windir ?? 'C:\\Windows', 'System32', 'reg.exe');
}

export const defaultRegQueryRunner: RegQueryRunner = (args) =>
  new Promise((resolve) => {
    execFile(regExePath(), [...args], { timeout: REG_TIMEOUT_MS, windowsHide: true, encoding: 'utf8', maxBuffer: 256 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr, exitCode: 0 });
      const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
      if (typeof code === 'number') return resolve({ stdout, stderr, exitCode: code });
      resolve({ stdout, stderr, exitCode: null, failure: error.killed ? `timed out after ${REG_TIMEOUT_MS} ms` : error.message });
    });
  });

export interface RegQueryValues {
  /** Values by registry value name: strings for REG_SZ/REG_EXPAND_SZ, numbers for REG_DWORD/REG_QWORD. */
  readonly values: Record<string, string | number>;
  /** Value names of types Beacon does not read (REG_MULTI_SZ, REG_BINARY, …). */
  readonly skipped: string[];
}

const VALUE_LINE = /^\s+(\S+)\s+(REG_SZ|REG_DWORD|REG_EXPAND_SZ|REG_QWORD)(?:\s+(.*))?$/;
const ANY_VALUE_LINE = /^\s+(\S+)\s+(REG_\w+)/;

/**
 * Parses `reg query <key>` output. Only the values directly under the first key
 * header count; lines after another key header (subkeys) are ignored.
 */
export function parseRegQueryOutput(text: string): RegQueryValues {
  const values: Record<string, string | number> = {};
  const skipped: string[] = [];
  let headers = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (/^HKEY_/i.test(line)) {
      headers += 1;
      continue;
    }
    if (headers !== 1) continue;
    const match = VALUE_LINE.exec(line);
    if (!match) {
      const other = ANY_VALUE_LINE.exec(line);
      if (other) skipped.push(other[1]!);
      continue;
    }
    const [, name, type, data = ''] = match;
    const value = convert(type!, data);
    if (value === undefined) skipped.push(name!);
    else values[name!] = value;
  }
  return { values, skipped };
}

function convert(type: string, data: string): string | number | undefined {
  if (type === 'REG_SZ' || type === 'REG_EXPAND_SZ') return data;
  // reg.exe prints DWORDs and QWORDs as hex: 0x1.
  if (!/^0x[0-9a-f]+$/i.test(data.trim())) return undefined;
  const big = BigInt(data.trim());
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : undefined;
}

function isKeyNotFound(output: RegQueryOutput): boolean {
  return output.exitCode === 1 && /unable to find/i.test(output.stderr + output.stdout);
}

/** One 'policy' layer per key, HKLM first. A missing key gives an empty layer; a failure is logged and gives an empty layer. */
export async function readWindowsPolicy({ logger, run = defaultRegQueryRunner }: { logger: Logger; run?: RegQueryRunner }): Promise<ConfigLayer[]> {
  const layers: ConfigLayer[] = [];
  for (const key of POLICY_KEYS) {
    let values: Record<string, unknown> = {};
    try {
      const output = await run(['query', key]);
      if (isKeyNotFound(output)) {
        logger.debug('no policy key', { key });
      } else if (output.exitCode !== 0) {
        logger.warn('could not read policy key; ignoring it', {
          key,
          exitCode: output.exitCode,
          failure: output.failure,
          stderr: previewForLog(output.stderr.trim(), 200),
        });
      } else {
        const parsed = parseRegQueryOutput(output.stdout);
        if (parsed.skipped.length > 0) logger.warn('policy values of unsupported types ignored', { key, names: parsed.skipped });
        values = fromPolicyNames(parsed.values);
      }
    } catch (error) {
      logger.error('reading policy key failed; ignoring it', { key, error: String(error) });
    }
    layers.push({ source: 'policy', origin: key, values });
  }
  return layers;
}
